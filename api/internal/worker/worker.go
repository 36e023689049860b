// Package worker consumes the region's work queue: it long-polls SQS, hands each message's
// event to a handler, deletes the message only once the handler succeeded, keeps a slow
// message hidden while it is worked on, and leaves a failing one to be received again until
// the queue's redrive policy moves it to the dead-letter queue. On shutdown it finishes the
// messages in hand within a grace period and releases the rest at once.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/example/platform/api/internal/events"
)

// API is the part of the SQS client the Worker uses.
type API interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Handler processes one event. It must be idempotent: a message can arrive more than once.
type Handler func(ctx context.Context, e events.Envelope) error

// Defaults for the Worker's settings.
const (
	DefaultVisibility = 30 * time.Second
	DefaultWait       = 20 // seconds: SQS's longest long poll
	DefaultRetryDelay = 5 * time.Second
	DefaultGrace      = 20 * time.Second
)

// Worker consumes QueueURL with Handle.
type Worker struct {
	API      API
	QueueURL string
	Handle   Handler
	Logger   *slog.Logger
	// Visibility hides a received message; it is extended by as much every half of it while the
	// handler runs. WaitSeconds is the long poll. RetryDelay, times the receive count, is how
	// long a failed message stays hidden before it is received again. Grace is how long messages
	// in hand may finish after shutdown begins. Zero: the defaults.
	Visibility  time.Duration
	WaitSeconds int32
	RetryDelay  time.Duration
	Grace       time.Duration

	handled, failed, released atomic.Int64
}

// Stats is what a Worker has done.
type Stats struct{ Handled, Failed, Released int64 }

// Stats returns the counts so far.
func (w *Worker) Stats() Stats {
	return Stats{w.handled.Load(), w.failed.Load(), w.released.Load()}
}

func (w *Worker) visibility() time.Duration {
	if w.Visibility > 0 {
		return w.Visibility
	}
	return DefaultVisibility
}

// Run receives and handles messages until ctx ends, then finishes or releases what it holds.
func (w *Worker) Run(ctx context.Context) {
	grace := w.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	// Handlers run on their own context: shutdown gives them Grace to finish, then cancels them.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var inFlight sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancelWork) })
	defer stop()
	wait := w.WaitSeconds
	if wait == 0 {
		wait = DefaultWait
	}
	backoff := time.Second
	for ctx.Err() == nil {
		out, err := w.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(w.QueueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: wait,
			VisibilityTimeout:           int32(w.visibility().Seconds()),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		})
		if err != nil {
			if ctx.Err() == nil {
				w.Logger.Warn("worker: receiving failed", "error", err.Error(), "retryIn", backoff.String())
				sleep(ctx, backoff)
				backoff = min(2*backoff, time.Minute)
			}
			continue
		}
		backoff = time.Second
		for _, m := range out.Messages {
			if ctx.Err() != nil { // received as shutdown began: give it back at once
				w.release(m)
				continue
			}
			inFlight.Go(func() { w.process(ctx, work, m) })
		}
		inFlight.Wait()
	}
	inFlight.Wait()
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// process handles one message, extending its visibility while the handler runs.
func (w *Worker) process(ctx, work context.Context, m types.Message) {
	hctx, done := context.WithCancel(work)
	defer done()
	go w.heartbeat(hctx, m)
	err := w.handle(hctx, m)
	done()
	log := w.Logger.With("messageId", aws.ToString(m.MessageId))
	switch {
	case err == nil:
		// Deleting must outlive shutdown: the work is done.
		_, derr := w.API.DeleteMessage(context.WithoutCancel(work), &sqs.DeleteMessageInput{QueueUrl: aws.String(w.QueueURL), ReceiptHandle: m.ReceiptHandle})
		if derr != nil {
			log.Warn("worker: deleting a handled message failed; it will be handled again", "error", derr.Error())
		}
		w.handled.Add(1)
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		w.release(m) // cut off by shutdown: another task takes it now
	default:
		w.failed.Add(1)
		receives, _ := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		retry := w.RetryDelay
		if retry <= 0 {
			retry = DefaultRetryDelay
		}
		delay := min(time.Duration(max(receives, 1))*retry, 12*time.Hour)
		log.Warn("worker: handling failed; the message is received again, and moves to the dead-letter queue after the queue's maxReceiveCount",
			"error", err.Error(), "receiveCount", receives, "retryIn", delay.String())
		w.setVisibility(context.WithoutCancel(work), m, delay)
	}
}

func (w *Worker) handle(ctx context.Context, m types.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	e, err := events.ParseEnvelope([]byte(aws.ToString(m.Body)))
	if err != nil {
		return err
	}
	return w.Handle(ctx, e)
}

// heartbeat keeps the message hidden while it is handled.
func (w *Worker) heartbeat(ctx context.Context, m types.Message) {
	every := w.visibility() / 2
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.setVisibility(ctx, m, w.visibility())
		}
	}
}

func (w *Worker) release(m types.Message) {
	w.released.Add(1)
	w.setVisibility(context.Background(), m, 0)
}

func (w *Worker) setVisibility(ctx context.Context, m types.Message, d time.Duration) {
	secs := int32((d + time.Second - 1) / time.Second)
	_, err := w.API.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(w.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: secs,
	})
	if err != nil && ctx.Err() == nil {
		w.Logger.Warn("worker: changing a message's visibility failed", "messageId", aws.ToString(m.MessageId), "error", err.Error())
	}
}
