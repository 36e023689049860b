package awsstub

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// The stub's queue URLs.
const (
	QueueURL           = "https://sqs.eu-west-1.amazonaws.com/111111111111/work"
	DeadLetterQueueURL = "https://sqs.eu-west-1.amazonaws.com/111111111111/work-dlq"
)

// DefaultMaxReceiveCount is the redrive policy's maxReceiveCount unless SetMaxReceiveCount.
const DefaultMaxReceiveCount = 3

type message struct {
	id, body      string
	receives      int
	visibleAt     time.Time
	receiptHandle string
}

type queue struct {
	mu              sync.Mutex
	seq             int
	messages        []*message
	deadLetters     []*message
	maxReceiveCount int
	visibility      time.Duration
}

func newQueue() *queue {
	return &queue{maxReceiveCount: DefaultMaxReceiveCount, visibility: 30 * time.Second}
}

// SetMaxReceiveCount sets the redrive policy's maxReceiveCount.
func (s *Stub) SetMaxReceiveCount(n int) {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	s.queue.maxReceiveCount = n
}

// Enqueue puts a message on the work queue, as the bus's rule does.
func (s *Stub) Enqueue(body string) {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	s.queue.seq++
	s.queue.messages = append(s.queue.messages, &message{id: fmt.Sprintf("msg-%d", s.queue.seq), body: body})
}

// Queued is how many messages the work queue holds (visible or not) and the dead-letter queue.
func (s *Stub) Queued() (work, deadLetter int) {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	return len(s.queue.messages), len(s.queue.deadLetters)
}

// Receives is how many times each message still in the work queue was received.
func (s *Stub) Receives() map[string]int {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	out := map[string]int{}
	for _, m := range s.queue.messages {
		out[m.id] = m.receives
	}
	return out
}

func (q *queue) send(body []byte) (any, *apiError) {
	var in struct{ MessageBody string }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	m := &message{id: fmt.Sprintf("msg-%d", q.seq), body: in.MessageBody}
	q.messages = append(q.messages, m)
	return map[string]string{"MessageId": m.id}, nil
}

func (q *queue) receive(body []byte) (any, *apiError) {
	var in struct {
		QueueUrl            string
		MaxNumberOfMessages int
		VisibilityTimeout   *int
		WaitTimeSeconds     int
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	if in.QueueUrl != QueueURL {
		return nil, &apiError{400, "AWS.SimpleQueueService.NonExistentQueue", "no queue " + in.QueueUrl}
	}
	if in.MaxNumberOfMessages < 1 || in.MaxNumberOfMessages > 10 || in.WaitTimeSeconds > 20 {
		return nil, badRequest("MaxNumberOfMessages 1-10 and WaitTimeSeconds 0-20")
	}
	deadline := time.Now().Add(time.Duration(in.WaitTimeSeconds) * time.Second)
	for {
		if out := q.take(in.MaxNumberOfMessages, in.VisibilityTimeout); len(out) > 0 || !time.Now().Before(deadline) {
			return map[string]any{"Messages": out}, nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// take receives up to n visible messages; a message past maxReceiveCount moves to the
// dead-letter queue instead, as SQS's redrive policy does when it would be received again.
func (q *queue) take(n int, visibility *int) []map[string]any {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	hide := q.visibility
	if visibility != nil {
		hide = time.Duration(*visibility) * time.Second
	}
	var out []map[string]any
	kept := q.messages[:0]
	for _, m := range q.messages {
		switch {
		case now.Before(m.visibleAt) || len(out) == n:
			kept = append(kept, m)
		case m.receives >= q.maxReceiveCount:
			q.deadLetters = append(q.deadLetters, m)
		default:
			m.receives++
			m.visibleAt = now.Add(hide)
			m.receiptHandle = fmt.Sprintf("%s/%d", m.id, m.receives)
			sum := md5.Sum([]byte(m.body))
			out = append(out, map[string]any{
				"MessageId": m.id, "ReceiptHandle": m.receiptHandle, "Body": m.body, "MD5OfBody": hex.EncodeToString(sum[:]),
				"Attributes": map[string]string{"ApproximateReceiveCount": strconv.Itoa(m.receives)},
			})
			kept = append(kept, m)
		}
	}
	q.messages = kept
	return out
}

// find returns the message whose latest receipt handle is handle.
func (q *queue) find(queueURL, handle string) (*message, int, *apiError) {
	if queueURL != QueueURL {
		return nil, 0, &apiError{400, "AWS.SimpleQueueService.NonExistentQueue", "no queue " + queueURL}
	}
	for i, m := range q.messages {
		if m.receiptHandle == handle {
			return m, i, nil
		}
	}
	return nil, 0, &apiError{400, "ReceiptHandleIsInvalid", "no message has receipt handle " + handle}
}

func (q *queue) delete(body []byte) (any, *apiError) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	_, i, err := q.find(in.QueueUrl, in.ReceiptHandle)
	if err != nil {
		return nil, err
	}
	q.messages = append(q.messages[:i], q.messages[i+1:]...)
	return struct{}{}, nil
}

func (q *queue) changeVisibility(body []byte) (any, *apiError) {
	var in struct {
		QueueUrl, ReceiptHandle string
		VisibilityTimeout       int
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	if in.VisibilityTimeout < 0 || in.VisibilityTimeout > 43200 {
		return nil, badRequest("VisibilityTimeout 0-43200")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	m, _, err := q.find(in.QueueUrl, in.ReceiptHandle)
	if err != nil {
		return nil, err
	}
	m.visibleAt = time.Now().Add(time.Duration(in.VisibilityTimeout) * time.Second)
	return struct{}{}, nil
}
