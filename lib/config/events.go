package config

import "github.com/example/platform/lib/limits"

// Events configures an environment's event tier in each of its regions: the EventBridge bus and
// its archive, the SQS work queue and its dead-letter queue, the Kinesis stream and the Firehose
// delivery into the lake. Every field has a default.
type Events struct {
	// ArchiveRetentionDays is how long the bus's archive keeps every event for replay, 1 to
	// 3650. Default: 30. (The lake keeps every event for good; the archive is for replays.)
	ArchiveRetentionDays int `json:"archiveRetentionDays,omitempty"`
	// MaxReceiveCount is how often a message of the work queue is received before it moves to
	// the dead-letter queue, 1 to 1000. Default: 5.
	MaxReceiveCount int `json:"maxReceiveCount,omitempty"`
	// QueueRetentionDays is how long the work queue keeps a message, 1 to 13: the dead-letter
	// queue keeps messages for 14 days (SQS's longest), counted from when they first entered
	// the work queue, so it must keep them longer. Default: 4 (SQS's default).
	QueueRetentionDays int `json:"queueRetentionDays,omitempty"`
	// StreamRetentionHours is how long the Kinesis stream keeps records, 24 to 8760. Default: 24.
	StreamRetentionHours int `json:"streamRetentionHours,omitempty"`
	// DeliveryBufferSeconds is how long Firehose buffers records before it writes an object to
	// the lake, 60 to 900 (dynamic partitioning needs at least 60). Default: 300.
	DeliveryBufferSeconds int `json:"deliveryBufferSeconds,omitempty"`
}

// Defaults and bounds of the event tier.
const (
	DefaultArchiveRetentionDays  = 30
	DefaultMaxReceiveCount       = 5
	DefaultQueueRetentionDays    = 4
	DefaultStreamRetentionHours  = 24
	DefaultDeliveryBufferSeconds = 300
	// DeadLetterRetentionDays is how long the dead-letter queues keep a message: SQS's longest.
	DeadLetterRetentionDays = limits.SQSMaxRetentionDays
)

func applyEventsDefaults(d defaulted, path string, e *Events) {
	d.int(path+".archiveRetentionDays", &e.ArchiveRetentionDays, DefaultArchiveRetentionDays)
	d.int(path+".maxReceiveCount", &e.MaxReceiveCount, DefaultMaxReceiveCount)
	d.int(path+".queueRetentionDays", &e.QueueRetentionDays, DefaultQueueRetentionDays)
	d.int(path+".streamRetentionHours", &e.StreamRetentionHours, DefaultStreamRetentionHours)
	d.int(path+".deliveryBufferSeconds", &e.DeliveryBufferSeconds, DefaultDeliveryBufferSeconds)
}

func validateEvents(path string, e Events, found *problems) {
	if e.ArchiveRetentionDays < 1 || e.ArchiveRetentionDays > 3650 {
		found.addf(path+".archiveRetentionDays", "%d: must be 1 to 3650 days (the lake keeps every event beyond that)", e.ArchiveRetentionDays)
	}
	// SQS accepts a maxReceiveCount of 1 to 1000.
	if e.MaxReceiveCount < 1 || e.MaxReceiveCount > 1000 {
		found.addf(path+".maxReceiveCount", "%d: must be 1 to 1000 receives before a message moves to the dead-letter queue", e.MaxReceiveCount)
	}
	if e.QueueRetentionDays < 1 || e.QueueRetentionDays >= DeadLetterRetentionDays {
		found.addf(path+".queueRetentionDays", "%d: must be 1 to %d days: the dead-letter queue keeps a message %d days from when it first entered the work queue, "+
			"so a longer retention here would let dead letters expire on arrival", e.QueueRetentionDays, DeadLetterRetentionDays-1, DeadLetterRetentionDays)
	}
	// Kinesis Data Streams keeps records for 24 hours to 365 days.
	if e.StreamRetentionHours < 24 || e.StreamRetentionHours > 8760 {
		found.addf(path+".streamRetentionHours", "%d: Kinesis keeps records for 24 to 8760 hours", e.StreamRetentionHours)
	}
	// Firehose buffers for 0 to 900 seconds, and at least 60 with dynamic partitioning.
	if e.DeliveryBufferSeconds < 60 || e.DeliveryBufferSeconds > 900 {
		found.addf(path+".deliveryBufferSeconds", "%d: must be 60 to 900 seconds (Firehose's dynamic partitioning buffers at least 60)", e.DeliveryBufferSeconds)
	}
}
