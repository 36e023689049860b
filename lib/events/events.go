// Package events builds a region's event tier: an EventBridge bus with an archive and the rules
// that route the service's domain events to an SQS work queue (with a dead-letter queue) and to
// a Kinesis stream, every part encrypted with the region's key. NewDelivery (delivery.go) carries
// the stream into the data lake through Firehose.
//
// Events follow one convention, which the rules rely on: source is "<platform>.<service>" (the
// service that publishes it, e.g. "acme.api"), detail-type is "<Entity>.<Verb>" in the past
// tense (e.g. "Item.Created"), and detail is a JSON object.
package events

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/props"
)

// Props configures a region's event tier. Every field is required: lib/config holds the
// defaults of the retention periods and the receive count.
type Props struct {
	// Key encrypts the bus, the archive, every queue and the stream. Its policy must let
	// EventBridge use it for the account's buses and queues (keys.EventBridgeStatements).
	Key awskms.IKey
	// BusName names the bus (EventBridge requires a name), unique in the account and region.
	BusName string
	// ArchiveName names the bus's archive, which replays start from; unique in the account and
	// region, at most 48 characters.
	ArchiveName string
	// WorkQueueName names the work queue, unique in the account and region: the dead-letter
	// queue's redrive-allow policy names the work queue's ARN, which with a generated name would
	// refer to the work queue while the work queue refers to the dead-letter queue, a cycle
	// CloudFormation refuses.
	WorkQueueName string
	// Source is the source the service's events carry ("<platform>.<service>"): the rules
	// route those events to the work queue and to the stream.
	Source string
	// ArchiveRetentionDays is how long the archive keeps every event of the bus.
	ArchiveRetentionDays float64
	// MaxReceiveCount is how often a work item is received before it moves to the dead-letter
	// queue.
	MaxReceiveCount float64
	// QueueRetentionDays is how long the work queue keeps a message; less than the dead-letter
	// queues' DeadLetterRetentionDays.
	QueueRetentionDays float64
	// StreamRetentionHours is how long the stream keeps records.
	StreamRetentionHours float64
}

// DeadLetterRetentionDays is how long the dead-letter queues keep a message: SQS's longest.
const DeadLetterRetentionDays = limits.SQSMaxRetentionDays

// StreamPartitionKeyPath is the field of an event that picks its shard: the event's unique ID,
// so that records spread evenly over the on-demand stream's shards.
const StreamPartitionKeyPath = "$.id"

// Events is a region's event tier.
type Events struct {
	constructs.Construct
	// Bus receives the service's events (events:PutEvents).
	Bus awsevents.EventBus
	// Archive keeps every event of the bus for replays.
	Archive awsevents.Archive
	// WorkQueue holds the work the service's events ask for; its consumers are the service.
	WorkQueue awssqs.Queue
	// DeadLetterQueue receives work items that failed MaxReceiveCount times.
	DeadLetterQueue awssqs.Queue
	// Undelivered receives the events EventBridge could not deliver to the work queue or the
	// stream after its retries, or could not encrypt or decrypt with the key.
	Undelivered awssqs.Queue
	// Stream carries every event of the service, for the lake (NewDelivery) and other readers.
	Stream awskinesis.Stream
}

// New creates the region's event tier. Everything that holds events is kept when the stack goes
// or a change would replace it, and goes when its own create fails (RETAIN_ON_UPDATE_OR_DELETE):
// the bus too, because the archive's rule lives on it and a bus with rules cannot be deleted.
func New(scope constructs.Construct, id string, props Props) *Events {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	// The key by its ARN: a grant to a service principal through the key's own construct would
	// write that principal into the key's policy in the keys stack (the primary region's key is
	// a construct there, the replicas are not). The key's policy names EventBridge itself.
	key := awskms.Key_FromKeyArn(c, jsii.String("Key"), props.Key.KeyArn())
	e := &Events{Construct: c}
	e.Undelivered, e.DeadLetterQueue, e.WorkQueue = newQueues(c, key, props)
	e.Stream = awskinesis.NewStream(c, jsii.String("Stream"), &awskinesis.StreamProps{
		StreamMode:      awskinesis.StreamMode_ON_DEMAND,
		Encryption:      awskinesis.StreamEncryption_KMS,
		EncryptionKey:   key,
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(props.StreamRetentionHours)),
		RemovalPolicy:   kept,
	})
	e.Bus, e.Archive = newBus(c, key, e.Undelivered, props)
	e.route(props.Source)
	compliance.Accept(e.Stream, compliance.Accepted{Rule: "AwsSolutions-KDS3",
		Reason: "Everything the environment stores in a region is encrypted with its one platform key, for one key policy and one audit trail; Kinesis reuses each data key for minutes, so its KMS requests grow with the stream's shards and its few producers and consumers (the service, EventBridge, Firehose), not with its records."})
	compliance.Accept(e.Stream, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
		Reason:    "The role EventBridge puts records with encrypts them with the stream's key, as Kinesis needs (the stream's write grant)."})
	return e
}

// kept is the removal policy of everything that holds events.
const kept = awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "events.New")
	c.Require("Props.Key", p.Key != nil, "pass the region's platform key")
	c.Require("Props.BusName", p.BusName != "", "name the bus from config (stacks/names.go)")
	if c.Require("Props.ArchiveName", p.ArchiveName != "", "name the archive from config (stacks/names.go)") &&
		len(p.ArchiveName) > limits.EventArchiveNameLength {
		c.Failf("Props.ArchiveName", "%q is longer than EventBridge's %d characters: shorten it", p.ArchiveName, limits.EventArchiveNameLength)
	}
	c.Require("Props.WorkQueueName", p.WorkQueueName != "", "name the work queue from config (stacks/names.go)")
	c.Require("Props.Source", p.Source != "", `pass the service's event source, "<platform>.<service>"`)
	c.Require("Props.ArchiveRetentionDays", p.ArchiveRetentionDays > 0, "give lib/config's events.archiveRetentionDays")
	c.Require("Props.MaxReceiveCount", p.MaxReceiveCount > 0, "give lib/config's events.maxReceiveCount")
	c.Require("Props.StreamRetentionHours", p.StreamRetentionHours > 0, "give lib/config's events.streamRetentionHours")
	if c.Require("Props.QueueRetentionDays", p.QueueRetentionDays > 0, "give lib/config's events.queueRetentionDays") &&
		p.QueueRetentionDays >= DeadLetterRetentionDays {
		c.Failf("Props.QueueRetentionDays", "%v must be less than the dead-letter queue's %d days, or dead letters expire on arrival", p.QueueRetentionDays, DeadLetterRetentionDays)
	}
	c.Done()
}

// newQueues creates the queues: EventBridge's own dead-letter queue for what it cannot deliver,
// the work queue and the work queue's dead-letter queue.
func newQueues(c constructs.Construct, key awskms.IKey, props Props) (undelivered, deadLetters, workQueue awssqs.Queue) {
	stack := awscdk.Stack_Of(c)
	// Encrypted by SQS, not with the region's key: the queue catches, among others, the events
	// EventBridge cannot encrypt or decrypt with that key (a disabled or mis-policied key), and
	// a queue under the same key would refuse them too, losing the events and hiding the fault.
	undelivered = awssqs.NewQueue(c, jsii.String("Undelivered"), &awssqs.QueueProps{
		Encryption: awssqs.QueueEncryption_SQS_MANAGED, EnforceSSL: jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(DeadLetterRetentionDays)),
		// Declares it a dead-letter queue, which needs none of its own (Control Tower's
		// CT.SQS.PR.1); allowAll is SQS's default, so no behaviour changes.
		RedriveAllowPolicy: &awssqs.RedriveAllowPolicy{RedrivePermission: awssqs.RedrivePermission_ALLOW_ALL},
		RemovalPolicy:      kept,
	})
	compliance.Accept(undelivered, compliance.Accepted{Rule: "AwsSolutions-SQS3",
		Reason: "It is a dead-letter queue itself: EventBridge's, for the bus's events it cannot encrypt and the rules' targets it cannot reach."})

	workQueueArn := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("sqs"), Resource: jsii.String(props.WorkQueueName)})
	deadLetters = awssqs.NewQueue(c, jsii.String("DeadLetterQueue"), &awssqs.QueueProps{
		Encryption: awssqs.QueueEncryption_KMS, EncryptionMasterKey: key, EnforceSSL: jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(DeadLetterRetentionDays)),
		// Only the work queue may move its messages here.
		RedriveAllowPolicy: &awssqs.RedriveAllowPolicy{
			RedrivePermission: awssqs.RedrivePermission_BY_QUEUE,
			SourceQueues:      &[]awssqs.IQueue{awssqs.Queue_FromQueueArn(c, jsii.String("WorkQueueByName"), workQueueArn)},
		},
		RemovalPolicy: kept,
	})
	workQueue = awssqs.NewQueue(c, jsii.String("WorkQueue"), &awssqs.QueueProps{
		QueueName:  jsii.String(props.WorkQueueName),
		Encryption: awssqs.QueueEncryption_KMS, EncryptionMasterKey: key, EnforceSSL: jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(props.QueueRetentionDays)),
		DeadLetterQueue: &awssqs.DeadLetterQueue{Queue: deadLetters, MaxReceiveCount: jsii.Number(props.MaxReceiveCount)},
		RemovalPolicy:   kept,
	})

	return undelivered, deadLetters, workQueue
}

// newBus creates the bus, which only its own account may put events on, and its archive.
func newBus(c constructs.Construct, key awskms.IKey, undelivered awssqs.Queue, props Props) (awsevents.EventBus, awsevents.Archive) {
	stack := awscdk.Stack_Of(c)
	bus := awsevents.NewEventBus(c, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName:    jsii.String(props.BusName),
		Description:     jsii.String(fmt.Sprintf("Domain events of %s in this region", props.Source)),
		KmsKey:          key,
		DeadLetterQueue: undelivered,
	})
	bus.ApplyRemovalPolicy(kept)
	// Only the bus's own account may put events on it. The policy is the bus's own property
	// rather than an AWS::Events::EventBusPolicy: cdk-nag's check of that resource reads a
	// deprecated property and prints a warning in every synthesis.
	bus.Node().DefaultChild().(awsevents.CfnEventBus).SetPolicy(awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("OnlyTheAccountPutsEvents"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewAccountPrincipal(stack.Account())},
			Actions:    jsii.Strings("events:PutEvents"),
			Resources:  &[]*string{stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("events"), Resource: jsii.String("event-bus"), ResourceName: jsii.String(props.BusName)})},
		})},
	}))

	archive := awsevents.NewArchive(c, jsii.String("Archive"), &awsevents.ArchiveProps{
		SourceEventBus: bus,
		ArchiveName:    jsii.String(props.ArchiveName),
		Description:    jsii.String("Every event of the bus, for replays"),
		EventPattern:   &awsevents.EventPattern{Account: &[]*string{stack.Account()}},
		Retention:      awscdk.Duration_Days(jsii.Number(props.ArchiveRetentionDays)),
		KmsKey:         key,
	})
	archive.ApplyRemovalPolicy(kept)

	return bus, archive
}

// route creates the rules that send sourceName's events to the work queue and to the stream.
func (e *Events) route(sourceName string) {
	c, bus, workQueue, stream, undelivered := e.Construct, e.Bus, e.WorkQueue, e.Stream, e.Undelivered
	source := &awsevents.EventPattern{Source: jsii.Strings(sourceName)}
	awsevents.NewRule(c, jsii.String("ToWorkQueue"), &awsevents.RuleProps{
		EventBus:     bus,
		Description:  jsii.String(fmt.Sprintf("Events of %s, replays included, to the work queue", sourceName)),
		EventPattern: source,
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(workQueue, &awseventstargets.SqsQueueProps{
			DeadLetterQueue: undelivered,
		})},
	})
	toStream := awsevents.NewRule(c, jsii.String("ToStream"), &awsevents.RuleProps{
		EventBus:     bus,
		Description:  jsii.String(fmt.Sprintf("Events of %s to the stream, replays excluded (the lake has them)", sourceName)),
		EventPattern: source,
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewKinesisStream(stream, &awseventstargets.KinesisStreamProps{
			PartitionKeyPath: jsii.String(StreamPartitionKeyPath),
			DeadLetterQueue:  undelivered,
		})},
	})
	// A replay from the archive sends the events through the rules again, each with a
	// replay-name: the work queue takes them (that is what a replay is for), the stream does
	// not, or the lake would hold every replayed event twice. EventPattern has no field for
	// replay-name.
	toStream.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(
		jsii.String("EventPattern.replay-name"), []any{map[string]any{"exists": false}})
	// EventBridge sends to Undelivered the bus's events it cannot encrypt or decrypt, and what
	// the stream rule cannot deliver. (CDK's queue target adds the work-queue rule's statement
	// itself; its Kinesis target adds none.)
	undelivered.GrantSendMessages(awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), &awsiam.ServicePrincipalOpts{
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": []any{bus.EventBusArn(), toStream.RuleArn()}}},
	}))
}

// GrantPutEvents lets grantee put events on the bus (EventBridge encrypts them with the key
// itself: the caller needs no KMS permission).
func (e *Events) GrantPutEvents(grantee awsiam.IGrantable) {
	e.Bus.GrantPutEventsTo(grantee, nil)
}

// GrantPutRecords lets grantee put records on the stream, encrypted with its key.
func (e *Events) GrantPutRecords(grantee awsiam.IGrantable) {
	e.Stream.GrantWrite(grantee)
	if role, ok := grantee.(constructs.IConstruct); ok {
		compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
			AppliesTo: []string{"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
			Reason:    "The stream's write grant: Kinesis encrypts each record with a data key of the stream's key."})
	}
}

// GrantConsumeWork lets grantee receive, change the visibility of and delete the work queue's
// messages, decrypting them with its key.
func (e *Events) GrantConsumeWork(grantee awsiam.IGrantable) {
	e.WorkQueue.GrantConsumeMessages(grantee)
}
