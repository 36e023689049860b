package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/events"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

func eventsProps(key awskms.IKey) events.Props {
	return events.Props{Key: key, BusName: "acme-prod-events", ArchiveName: "acme-prod-events", WorkQueueName: "acme-prod-work", Source: "acme.api",
		ArchiveRetentionDays: 30, MaxReceiveCount: 5, QueueRetentionDays: 4, StreamRetentionHours: 24}
}

func delivery(tier *events.Events, bucket awss3.IBucket, key awskms.IKey) events.DeliveryProps {
	return events.DeliveryProps{Stream: tier.Stream, Bucket: bucket, Key: key, BufferSeconds: 300, LogRetention: awslogs.RetentionDays_THREE_MONTHS}
}

func TestEvents_WiresTheDeadLetterQueueAndKeepsWhatHoldsEvents(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	events.New(s, "Events", eventsProps(awskms.NewKey(s, jsii.String("Key"), nil)))
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
			"QueueName":              "acme-prod-work",
			"MessageRetentionPeriod": 4 * 86400,
			"RedrivePolicy":          map[string]any{"maxReceiveCount": 5, "deadLetterTargetArn": assertions.Match_AnyValue()},
		})
		tpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
			"RedriveAllowPolicy": map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []any{"arn:aws:sqs:eu-west-1:111111111111:acme-prod-work"}},
		})
		tpl.HasResourceProperties(jsii.String("AWS::Events::Archive"), map[string]any{"RetentionDays": 30, "ArchiveName": "acme-prod-events"})
		tpl.HasResourceProperties(jsii.String("AWS::Kinesis::Stream"), map[string]any{
			"RetentionPeriodHours": 24, "StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"},
		})
		for _, kept := range []string{"AWS::SQS::Queue", "AWS::Kinesis::Stream", "AWS::Events::Archive", "AWS::Events::EventBus"} {
			tpl.AllResources(jsii.String(kept), map[string]any{"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"})
		}
	})
}

// Control Tower's CT.SQS.PR.1: a queue has a dead-letter queue, or says it is one.
func TestEvents_EveryQueueHasADeadLetterQueueOrIsOne(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	events.New(s, "Events", eventsProps(awskms.NewKey(s, jsii.String("Key"), nil)))
	var queues *map[string]*map[string]any
	constructkit.Assert(t, func() { queues = constructkit.TemplateOf(t, s).FindResources(jsii.String("AWS::SQS::Queue"), nil) })
	for id, q := range *queues {
		p := (*q)["Properties"].(map[string]any)
		_, redrive := p["RedrivePolicy"]
		allow, _ := p["RedriveAllowPolicy"].(map[string]any)
		if !redrive && allow["redrivePermission"] != "allowAll" && allow["redrivePermission"] != "byQueue" {
			t.Errorf("queue %s has no dead-letter queue and does not declare itself one (RedriveAllowPolicy %v)", id, allow)
		}
	}
	constructkit.CheckedSomething(t, len(*queues), "queue")
}

// A grant through the key's construct would write EventBridge (a service principal) into the
// key's policy, which lives in another stack; the tier names the key by its ARN instead.
func TestEvents_LeavesTheKeysPolicyAlone(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	events.New(s, "Events", eventsProps(awskms.NewKey(s, jsii.String("Key"), nil)))
	tpl := constructkit.TemplateOf(t, s)
	var keys *map[string]*map[string]any
	constructkit.Assert(t, func() { keys = tpl.FindResources(jsii.String("AWS::KMS::Key"), nil) })
	for id, key := range *keys {
		if data, _ := json.Marshal(key); strings.Contains(string(data), "events.amazonaws.com") {
			t.Errorf("the event tier changed %s's policy: %s", id, data)
		}
	}
}

func TestEvents_RefusesPropsNamingEachProblem(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*events.Props)
		want   string
	}{
		{"no key", func(p *events.Props) { p.Key = nil }, "events.New(Test/Events): Props.Key is required"},
		{"no bus name", func(p *events.Props) { p.BusName = "" }, "Props.BusName is required"},
		{"no work queue name", func(p *events.Props) { p.WorkQueueName = "" }, "Props.WorkQueueName is required"},
		{"no source", func(p *events.Props) { p.Source = "" }, "Props.Source is required"},
		{"long archive name", func(p *events.Props) { p.ArchiveName = strings.Repeat("a", 49) }, "longer than EventBridge's 48 characters"},
		{"queue outlives its dead letters", func(p *events.Props) { p.QueueRetentionDays = 14 }, "must be less than the dead-letter queue's 14 days"},
		// The construct has no defaults of its own: lib/config holds them.
		{"no retention periods or receive count", func(p *events.Props) {
			p.ArchiveRetentionDays, p.MaxReceiveCount, p.QueueRetentionDays, p.StreamRetentionHours = 0, 0, 0, 0
		}, "4 problems"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := constructkit.Stack(t, "eu-west-1")
			p := eventsProps(awskms.NewKey(s, jsii.String("Key"), nil))
			c.change(&p)
			propstest.Panics(t, func() { events.New(s, "Events", p) }, c.want)
		})
	}
}

func TestDelivery_RejectsPrefixesThatOverlapOrCarryExpressions(t *testing.T) {
	for _, c := range []struct{ prefix, errorPrefix, want string }{
		{"events/", "events/errors/", "must not contain each other"},
		{"events", "", "must be a plain folder ending in /"},
		{"events/!{timestamp:yyyy}/", "", "must be a plain folder ending in /"},
	} {
		t.Run(c.prefix+"|"+c.errorPrefix, func(t *testing.T) {
			s := constructkit.Stack(t, "eu-west-1")
			key := awskms.NewKey(s, jsii.String("Key"), nil)
			tier := events.New(s, "Events", eventsProps(key))
			bucket := awss3.NewBucket(s, jsii.String("Lake"), nil)
			p := delivery(tier, bucket, key)
			p.Prefix, p.ErrorPrefix = c.prefix, c.errorPrefix
			propstest.Panics(t, func() { events.NewDelivery(s, "Delivery", p) }, "events.NewDelivery(Test/Delivery)", c.want)
		})
	}
}

func TestDelivery_PartitionsByTypeAndDayWithErrorsApart(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	key := awskms.NewKey(s, jsii.String("Key"), nil)
	tier := events.New(s, "Events", eventsProps(key))
	bucket := awss3.NewBucket(s, jsii.String("Lake"), &awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS, EncryptionKey: key})
	events.NewDelivery(s, "Delivery", delivery(tier, bucket, key))
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::KinesisFirehose::DeliveryStream"), map[string]any{
			"DeliveryStreamType": "KinesisStreamAsSource",
			"ExtendedS3DestinationConfiguration": assertions.Match_ObjectLike(&map[string]any{
				"Prefix":                           "events/type=!{partitionKeyFromQuery:type}/date=!{timestamp:yyyy-MM-dd}/",
				"ErrorOutputPrefix":                "events-errors/!{firehose:error-output-type}/date=!{timestamp:yyyy-MM-dd}/",
				"BufferingHints":                   map[string]any{"IntervalInSeconds": 300, "SizeInMBs": 128},
				"CompressionFormat":                "GZIP",
				"DynamicPartitioningConfiguration": map[string]any{"Enabled": true},
			}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 90, "KmsKeyId": assertions.Match_AnyValue()})
	})
}

func TestDelivery_RequiresTheBufferAndLogRetentionConfigChose(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	key := awskms.NewKey(s, jsii.String("Key"), nil)
	tier := events.New(s, "Events", eventsProps(key))
	p := delivery(tier, awss3.NewBucket(s, jsii.String("Lake"), nil), key)
	p.BufferSeconds, p.LogRetention = 0, ""
	propstest.Panics(t, func() { events.NewDelivery(s, "Delivery", p) }, "Props.BufferSeconds is required", "Props.LogRetention is required")
}
