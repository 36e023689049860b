package test

// The event tier in every environment and region of both configs: the bus, its archive, the
// work queue and its dead-letter queue, the stream (events stack), the delivery into the lake
// (lake stack); their keys, wiring and permissions; and the create-time constraints they have.

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/events"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/testkit"
)

// eachEventRegion runs check for every environment and region of every config, with the
// config's assembly as the deploy rules read it.
func eachEventRegion(t *testing.T, check func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region)) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		p := a.platform
		for _, env := range p.Config.Environments {
			for _, region := range env.Regions {
				t.Run(env.Name+"/"+region.Region, func(t *testing.T) { check(t, a, p, env, region) })
			}
		}
	})
}

// eventTier is a region's events stack and the logical IDs of what it holds.
type eventTier struct {
	stack                                                     *assembly.Stack
	bus, archive, workQueue, deadLetters, undelivered, stream string
}

// eventTierOf finds the region's event tier by what each resource is, not by its logical ID:
// the work queue by its name, its dead-letter queue by the work queue's redrive policy, the
// undelivered-events queue by the bus's dead-letter config.
func eventTierOf(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) eventTier {
	t.Helper()
	name := stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierEvents)
	s := a.byName[name]
	if s == nil {
		t.Fatalf("no events stack %s", name)
	}
	one := func(resourceType string) string {
		ids := slices.Sorted(maps.Keys(resourcesOf(s, resourceType)))
		if len(ids) != 1 {
			t.Fatalf("%s: want one %s, found %v", name, resourceType, ids)
		}
		return ids[0]
	}
	tier := eventTier{stack: s, bus: one("AWS::Events::EventBus"), archive: one("AWS::Events::Archive"), stream: one("AWS::Kinesis::Stream")}
	queues := resourcesOf(s, "AWS::SQS::Queue")
	for id, queue := range queues {
		if propertiesOf(queue)["QueueName"] == stacks.WorkQueueName(p.Config.Name, env.Name) {
			tier.workQueue = id
		}
	}
	if tier.workQueue == "" {
		t.Fatalf("%s: no queue named %s", name, stacks.WorkQueueName(p.Config.Name, env.Name))
	}
	redrive, _ := propertiesOf(queues[tier.workQueue])["RedrivePolicy"].(map[string]any)
	tier.deadLetters = refTo(redrive["deadLetterTargetArn"])
	busDeadLetters, _ := propertiesOf(s.Template.Resources[tier.bus])["DeadLetterConfig"].(map[string]any)
	tier.undelivered = refTo(busDeadLetters["Arn"])
	if len(queues) != 3 || queues[tier.deadLetters] == nil || queues[tier.undelivered] == nil || tier.deadLetters == tier.undelivered {
		t.Fatalf("%s: want the work queue, its dead-letter queue and the bus's undelivered-events queue, found %v (work %s, dead letters %q, undelivered %q)",
			name, slices.Sorted(maps.Keys(queues)), tier.workQueue, tier.deadLetters, tier.undelivered)
	}
	return tier
}

// resourceOf is the resource ("stack/logicalID") a Ref, Fn::GetAtt or weak reference names, as
// seen from s, or "".
func (a *deployed) resourceOf(s *assembly.Stack, value any) string {
	if id := refTo(value); id != "" && !strings.HasPrefix(id, "AWS::") {
		return s.Name + "/" + id
	}
	m, _ := value.(map[string]any)
	ref, ok := m["Fn::GetStackOutput"].(map[string]any)
	if !ok {
		return ""
	}
	name, _ := ref["StackName"].(string)
	output, _ := ref["OutputName"].(string)
	producer := a.byName[name]
	if producer == nil {
		return ""
	}
	out, _ := producer.Template.Outputs[output].(map[string]any)
	if id := refTo(out["Value"]); id != "" {
		return producer.Name + "/" + id
	}
	return ""
}

// referencedResources are every resource value refers to, anywhere inside it.
func (a *deployed) referencedResources(s *assembly.Stack, value any) map[string]bool {
	found := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		if r := a.resourceOf(s, v); r != "" {
			found[r] = true
		}
		switch x := v.(type) {
		case map[string]any:
			for _, child := range x {
				walk(child)
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	walk(value)
	return found
}

func (tier eventTier) ref(id string) string { return tier.stack.Name + "/" + id }

// policyStatement is one statement of an identity policy.
type policyStatement struct {
	Effect    string
	Actions   []string
	Resources []any
}

// roleStatements are the statements of every AWS::IAM::Policy of s attached to roleID.
func roleStatements(s *assembly.Stack, roleID string) []policyStatement {
	var out []policyStatement
	for _, policy := range resourcesOf(s, "AWS::IAM::Policy") {
		props := propertiesOf(policy)
		attached := false
		for _, role := range asList(props["Roles"]) {
			attached = attached || refTo(role) == roleID
		}
		if !attached {
			continue
		}
		document, _ := props["PolicyDocument"].(map[string]any)
		for _, raw := range asList(document["Statement"]) {
			st, _ := raw.(map[string]any)
			ps := policyStatement{Effect: fmt.Sprint(st["Effect"])}
			for _, action := range append(asList(st["Action"]), stringItem(st["Action"])...) {
				ps.Actions = append(ps.Actions, action.(string))
			}
			ps.Resources = asList(st["Resource"])
			if ps.Resources == nil {
				ps.Resources = []any{st["Resource"]}
			}
			out = append(out, ps)
		}
	}
	return out
}

// sameNumber reports whether a template's number is n.
func sameNumber(value any, n int) bool {
	f, ok := value.(float64)
	return ok && f == float64(n)
}

// stringItem is value as a one-item list when it is a string.
func stringItem(value any) []any {
	if s, ok := value.(string); ok {
		return []any{s}
	}
	return nil
}

// Every region's bus, archive, queues and stream exist and are encrypted with the region's key,
// and the lake stack delivers the region's stream into the region's lake with it too.
func TestEvents_EveryRegionHasItsBusArchiveQueuesStreamAndDeliveryEncryptedWithTheRegionsKey(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		s := tier.stack
		res := s.Template.Resources
		bus, archive, stream := propertiesOf(res[tier.bus]), propertiesOf(res[tier.archive]), propertiesOf(res[tier.stream])
		if bus["Name"] != stacks.EventBusName(p.Config.Name, env.Name) {
			t.Errorf("bus named %v, want %s", bus["Name"], stacks.EventBusName(p.Config.Name, env.Name))
		}
		if archive["ArchiveName"] != stacks.EventArchiveName(p.Config.Name, env.Name) || refTo(archive["SourceArn"]) != tier.bus {
			t.Errorf("archive %v of %v, want %s of the bus", archive["ArchiveName"], archive["SourceArn"], stacks.EventArchiveName(p.Config.Name, env.Name))
		}
		if !sameNumber(archive["RetentionDays"], env.Events.ArchiveRetentionDays) {
			t.Errorf("archive keeps events %v days, want %d (events.archiveRetentionDays)", archive["RetentionDays"], env.Events.ArchiveRetentionDays)
		}
		if mode, _ := stream["StreamModeDetails"].(map[string]any); mode["StreamMode"] != "ON_DEMAND" || !sameNumber(stream["RetentionPeriodHours"], env.Events.StreamRetentionHours) {
			t.Errorf("stream %v keeping %v hours, want on-demand keeping %d", mode, stream["RetentionPeriodHours"], env.Events.StreamRetentionHours)
		}
		keys := map[string]any{
			"bus": bus["KmsKeyIdentifier"], "archive": archive["KmsKeyIdentifier"],
			"stream": stream["StreamEncryption"].(map[string]any)["KeyId"],
		}
		for _, id := range []string{tier.workQueue, tier.deadLetters} {
			keys["queue "+id] = propertiesOf(res[id])["KmsMasterKeyId"]
		}
		// The undelivered-events queue catches what EventBridge cannot do with the region's
		// key, so it must not depend on that key.
		if undelivered := propertiesOf(res[tier.undelivered]); undelivered["KmsMasterKeyId"] != nil || undelivered["SqsManagedSseEnabled"] != true {
			t.Errorf("the undelivered-events queue is encrypted with %v (SQS-managed: %v): it must not depend on the key whose failures it catches", undelivered["KmsMasterKeyId"], undelivered["SqsManagedSseEnabled"])
		}
		if encryption, _ := stream["StreamEncryption"].(map[string]any); encryption["EncryptionType"] != "KMS" {
			t.Errorf("stream encryption %v, want KMS", encryption)
		}

		lake := a.byName[stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierLake)]
		deliveries := resourcesOf(lake, "AWS::KinesisFirehose::DeliveryStream")
		if len(deliveries) != 1 {
			t.Fatalf("%s: want one delivery stream, found %d", lake.Name, len(deliveries))
		}
		for id, delivery := range deliveries {
			props := propertiesOf(delivery)
			source, _ := props["KinesisStreamSourceConfiguration"].(map[string]any)
			if props["DeliveryStreamType"] != "KinesisStreamAsSource" || a.resourceOf(lake, source["KinesisStreamARN"]) != tier.ref(tier.stream) {
				t.Errorf("%s/%s reads %v, want the region's event stream %s", lake.Name, id, source["KinesisStreamARN"], tier.ref(tier.stream))
			}
			s3, _ := props["ExtendedS3DestinationConfiguration"].(map[string]any)
			bucket := a.resourceOf(lake, s3["BucketARN"])
			if resource := lake.Template.Resources[strings.TrimPrefix(bucket, lake.Name+"/")]; resource == nil || resource["Type"] != "AWS::S3::Bucket" ||
				propertiesOf(resource)["BucketName"] != stacks.LakeBucketName(p.Config.Name, env.Name, env.Account, region.Region) {
				t.Errorf("%s/%s writes to %s, want the region's lake bucket", lake.Name, id, bucket)
			}
			encryption, _ := s3["EncryptionConfiguration"].(map[string]any)
			kms, _ := encryption["KMSEncryptionConfig"].(map[string]any)
			if !a.isRegionsKey(lake, kms["AWSKMSKeyARN"]) {
				t.Errorf("%s/%s encrypts objects with %s, not the region's key", lake.Name, id, jsonOf(kms["AWSKMSKeyARN"]))
			}
		}
		for what, key := range keys {
			if !a.isRegionsKey(s, key) {
				t.Errorf("%s: the %s is encrypted with %s, not the region's key", s.Name, what, jsonOf(key))
			}
		}
	})
}

// A poison message moves to the dead-letter queue after the configured receives, and only the
// work queue may send there; the dead-letter queues keep messages longer than the work queue
// (a message's age counts from its first enqueue); every queue refuses plain HTTP.
func TestEvents_WorkQueueMovesPoisonMessagesToItsDeadLetterQueueAfterTheConfiguredReceives(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		res := tier.stack.Template.Resources
		work, deadLetters := propertiesOf(res[tier.workQueue]), propertiesOf(res[tier.deadLetters])
		redrive := work["RedrivePolicy"].(map[string]any)
		if !sameNumber(redrive["maxReceiveCount"], env.Events.MaxReceiveCount) {
			t.Errorf("maxReceiveCount %v, want %d (events.maxReceiveCount)", redrive["maxReceiveCount"], env.Events.MaxReceiveCount)
		}
		workArn := fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region.Region, env.Account, stacks.WorkQueueName(p.Config.Name, env.Name))
		wantAllow := map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []any{workArn}}
		if jsonOf(deadLetters["RedriveAllowPolicy"]) != jsonOf(wantAllow) {
			t.Errorf("dead-letter queue's redrive-allow policy %s, want %s", jsonOf(deadLetters["RedriveAllowPolicy"]), jsonOf(wantAllow))
		}
		if !sameNumber(work["MessageRetentionPeriod"], env.Events.QueueRetentionDays*86400) {
			t.Errorf("work queue keeps messages %v s, want %d days", work["MessageRetentionPeriod"], env.Events.QueueRetentionDays)
		}
		for _, id := range []string{tier.deadLetters, tier.undelivered} {
			if kept := propertiesOf(res[id])["MessageRetentionPeriod"]; !sameNumber(kept, events.DeadLetterRetentionDays*86400) || env.Events.QueueRetentionDays >= events.DeadLetterRetentionDays {
				t.Errorf("%s keeps dead letters %v s, want %d days, longer than the work queue's %d", id, kept, events.DeadLetterRetentionDays, env.Events.QueueRetentionDays)
			}
		}
		for _, id := range []string{tier.workQueue, tier.deadLetters, tier.undelivered} {
			if !queueRefusesPlainHTTP(tier.stack, id) {
				t.Errorf("%s: no queue policy denies requests without TLS (aws:SecureTransport false)", id)
			}
		}
	})
}

func queueRefusesPlainHTTP(s *assembly.Stack, queueID string) bool {
	for _, policy := range resourcesOf(s, "AWS::SQS::QueuePolicy") {
		props := propertiesOf(policy)
		if len(asList(props["Queues"])) != 1 || refTo(asList(props["Queues"])[0]) != queueID {
			continue
		}
		for _, raw := range asList(props["PolicyDocument"].(map[string]any)["Statement"]) {
			st := raw.(map[string]any)
			condition, _ := st["Condition"].(map[string]any)
			secure, _ := condition["Bool"].(map[string]any)
			if st["Effect"] == "Deny" && st["Action"] == "sqs:*" && secure["aws:SecureTransport"] == "false" {
				return true
			}
		}
	}
	return false
}

// The rules route the service's events (source <platform>.<service>) to the work queue and the
// stream; replays reach the queue but not the stream (the lake has them already).
func TestEvents_RulesRouteTheServicesEventsToTheWorkQueueAndTheStream(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		source := []any{stacks.EventSource(p.Config.Name, p.Config.Service.Name)}
		routed := map[string]bool{}
		for id, rule := range resourcesOf(tier.stack, "AWS::Events::Rule") {
			props := propertiesOf(rule)
			if refTo(props["EventBusName"]) != tier.bus {
				t.Errorf("%s is not on the bus", id)
			}
			pattern, _ := props["EventPattern"].(map[string]any)
			if jsonOf(pattern["source"]) != jsonOf(source) {
				t.Errorf("%s matches source %s, want %s", id, jsonOf(pattern["source"]), jsonOf(source))
			}
			for _, raw := range asList(props["Targets"]) {
				target := raw.(map[string]any)
				switch arn := refTo(target["Arn"]); arn {
				case tier.workQueue:
					routed["queue"] = true
					if pattern["replay-name"] != nil {
						t.Errorf("%s keeps replays from the work queue: a replay is how lost work is done again", id)
					}
				case tier.stream:
					routed["stream"] = true
					if jsonOf(pattern["replay-name"]) != `[{"exists":false}]` {
						t.Errorf("%s sends replays to the stream (pattern %s): the lake would hold them twice", id, jsonOf(pattern))
					}
					if kinesis, _ := target["KinesisParameters"].(map[string]any); kinesis["PartitionKeyPath"] != events.StreamPartitionKeyPath {
						t.Errorf("%s partitions records by %v, want %s", id, kinesis["PartitionKeyPath"], events.StreamPartitionKeyPath)
					}
				default:
					t.Errorf("%s targets %s, neither the work queue nor the stream", id, arn)
				}
				if dlq, _ := target["DeadLetterConfig"].(map[string]any); refTo(dlq["Arn"]) != tier.undelivered {
					t.Errorf("%s: what it cannot deliver goes to %v, want the undelivered-events queue", id, dlq["Arn"])
				}
			}
		}
		if !routed["queue"] || !routed["stream"] {
			t.Errorf("the service's events reach: %v; want the work queue and the stream", routed)
		}
	})
}

// EventBridge sends to a dead-letter queue only what the queue's policy admits from the rule or
// bus sending it: CDK adds that statement for a queue target's dead-letter queue but not for a
// Kinesis target's, nor for a bus's. Every dead-letter config must name a queue that admits
// exactly its sender, or undeliverable events are dropped.
func TestEvents_EveryDeadLetterQueueAdmitsWhatSendsToIt(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		s := tier.stack
		senders := map[string]string{} // sender logical ID -> dead-letter queue logical ID
		senders[tier.bus] = tier.undelivered
		for id, rule := range resourcesOf(s, "AWS::Events::Rule") {
			for _, raw := range asList(propertiesOf(rule)["Targets"]) {
				if dlq, ok := raw.(map[string]any)["DeadLetterConfig"].(map[string]any); ok {
					senders[id] = refTo(dlq["Arn"])
				}
			}
		}
		for sender, queue := range senders {
			admitted := false
			for _, policy := range resourcesOf(s, "AWS::SQS::QueuePolicy") {
				props := propertiesOf(policy)
				if refTo(asList(props["Queues"])[0]) != queue {
					continue
				}
				for _, raw := range asList(props["PolicyDocument"].(map[string]any)["Statement"]) {
					st := raw.(map[string]any)
					principal, _ := st["Principal"].(map[string]any)
					condition, _ := st["Condition"].(map[string]any)
					arns, _ := condition["ArnEquals"].(map[string]any)
					sources := append(asList(arns["aws:SourceArn"]), arns["aws:SourceArn"])
					sends := slices.Contains(append(asList(st["Action"]), st["Action"]), any("sqs:SendMessage"))
					if st["Effect"] == "Allow" && principal["Service"] == "events.amazonaws.com" && sends &&
						slices.ContainsFunc(sources, func(v any) bool { return refTo(v) == sender }) {
						admitted = true
					}
				}
			}
			if !admitted {
				t.Errorf("%s sends what it cannot deliver to %s, whose policy does not admit events.amazonaws.com with aws:SourceArn %s", sender, queue, sender)
			}
		}
	})
}

// The bus admits events from its own account only.
func TestEvents_BusAdmitsOnlyTheEnvironmentsAccount(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		policy, _ := propertiesOf(tier.stack.Template.Resources[tier.bus])["Policy"].(map[string]any)
		statements := asList(policy["Statement"])
		if len(statements) == 0 {
			t.Fatal("the bus has no resource policy")
		}
		for _, raw := range statements {
			st := raw.(map[string]any)
			principal, _ := st["Principal"].(map[string]any)
			if st["Effect"] != "Allow" || st["Action"] != "events:PutEvents" || principal["AWS"] != "arn:aws:iam::"+env.Account+":root" {
				t.Errorf("the bus's policy admits %s; want only events:PutEvents from account %s", jsonOf(st), env.Account)
			}
		}
		if others := resourcesOf(tier.stack, "AWS::Events::EventBusPolicy"); len(others) > 0 {
			t.Errorf("the bus has separate policies too: %v", slices.Sorted(maps.Keys(others)))
		}
	})
}

// The service's task role may put events on its region's bus and records on its region's
// stream, and consume its region's work queue: exactly these statements of the event tier, and
// no KMS key but the region's.
func TestEvents_TaskRoleGetsExactlyTheEventGrants(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		app := a.byName[stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierApp)]
		var taskRole string
		for _, task := range resourcesOf(app, "AWS::ECS::TaskDefinition") {
			taskRole = refTo(propertiesOf(task)["TaskRoleArn"])
		}
		if taskRole == "" {
			t.Fatal("no task role")
		}
		want := map[string]string{
			tier.ref(tier.bus):       "events:PutEvents",
			tier.ref(tier.stream):    "kinesis:ListShards kinesis:PutRecord kinesis:PutRecords",
			tier.ref(tier.workQueue): "sqs:ChangeMessageVisibility sqs:DeleteMessage sqs:GetQueueAttributes sqs:GetQueueUrl sqs:ReceiveMessage",
		}
		got := map[string]string{}
		for _, st := range roleStatements(app, taskRole) {
			eventActions := slices.ContainsFunc(st.Actions, func(action string) bool {
				service, _, _ := strings.Cut(action, ":")
				return service == "events" || service == "sqs" || service == "kinesis" || service == "firehose"
			})
			for _, resource := range st.Resources {
				target := a.resourceOf(app, resource)
				switch {
				case strings.HasPrefix(target, tier.stack.Name+"/"):
					if st.Effect == "Allow" {
						actions := slices.Clone(st.Actions)
						sort.Strings(actions)
						got[target] = strings.TrimSpace(got[target] + " " + strings.Join(actions, " "))
					}
				case eventActions:
					t.Errorf("the task role may %v on %s, which is not the region's event tier", st.Actions, jsonOf(resource))
				case slices.ContainsFunc(st.Actions, func(action string) bool { return strings.HasPrefix(action, "kms:") }) && !a.isRegionsKey(app, resource):
					t.Errorf("the task role may use %s, not the region's key", jsonOf(resource))
				}
			}
		}
		for resource, actions := range got {
			if want[resource] != actions {
				t.Errorf("the task role may %q on %s; want %q", actions, resource, want[resource])
			}
		}
		for resource, actions := range want {
			if got[resource] == "" {
				t.Errorf("the task role may not %q on %s", actions, resource)
			}
		}
	})
}

// Firehose reads the region's stream and writes objects only under its two prefixes of the
// lake, with the region's key, logging to its own group; and it is created only after its
// role's policy, or its create fails on the stream or the bucket it cannot reach yet.
func TestEvents_FirehoseWritesOnlyItsPrefixesOfTheLakeWithTheRegionsKey(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		lake := a.byName[stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierLake)]
		for id, delivery := range resourcesOf(lake, "AWS::KinesisFirehose::DeliveryStream") {
			props := propertiesOf(delivery)
			s3 := props["ExtendedS3DestinationConfiguration"].(map[string]any)
			source := props["KinesisStreamSourceConfiguration"].(map[string]any)
			bucketArn := s3["BucketARN"]
			prefix, errorPrefix := folder(s3["Prefix"]), folder(s3["ErrorOutputPrefix"])
			if prefix == "" || errorPrefix == "" || strings.HasPrefix(prefix, errorPrefix) || strings.HasPrefix(errorPrefix, prefix) {
				t.Errorf("%s: prefix %v and error prefix %v must be separate folders", id, s3["Prefix"], s3["ErrorOutputPrefix"])
			}
			if !strings.Contains(fmt.Sprint(s3["ErrorOutputPrefix"]), "!{firehose:error-output-type}") {
				t.Errorf("%s: error prefix %v does not separate error types", id, s3["ErrorOutputPrefix"])
			}
			writable := map[string]bool{
				jsonOf(map[string]any{"Fn::Join": []any{"", []any{bucketArn, "/" + prefix + "*"}}}):      true,
				jsonOf(map[string]any{"Fn::Join": []any{"", []any{bucketArn, "/" + errorPrefix + "*"}}}): true,
			}
			logs, _ := s3["CloudWatchLoggingOptions"].(map[string]any)
			roles := map[string]bool{refTo(s3["RoleARN"]): true, refTo(source["RoleARN"]): true}
			for role := range roles {
				policies := 0
				for policyID, policy := range resourcesOf(lake, "AWS::IAM::Policy") {
					for _, r := range asList(propertiesOf(policy)["Roles"]) {
						if refTo(r) == role {
							policies++
							if !dependsOnResource(delivery, policyID) {
								t.Errorf("%s does not wait for %s, its role's policy: Firehose checks the stream and the bucket at create", id, policyID)
							}
						}
					}
				}
				if policies == 0 {
					t.Errorf("%s: role %s has no policy", id, role)
				}
				for _, st := range roleStatements(lake, role) {
					for _, action := range st.Actions {
						service, name, _ := strings.Cut(action, ":")
						for _, resource := range st.Resources {
							var ok bool
							switch {
							case service == "s3" && (name == "GetBucketLocation" || name == "ListBucketMultipartUploads" || name == "ListBucket"):
								ok = jsonOf(resource) == jsonOf(bucketArn)
							case service == "s3" && (strings.HasPrefix(name, "Put") || name == "Abort*" || name == "GetObject"):
								ok = writable[jsonOf(resource)]
							case service == "kms":
								ok = a.isRegionsKey(lake, resource)
							case service == "kinesis":
								ok = a.resourceOf(lake, resource) == tier.ref(tier.stream)
							case service == "logs":
								ok = refTo(resource) == refTo(logs["LogGroupName"])
							}
							if !ok {
								t.Errorf("the delivery's role may %s on %s: it may read and write only under %s and %s of the lake, use only the region's key, read only the region's stream and log only to its group",
									action, jsonOf(resource), prefix, errorPrefix)
							}
						}
					}
				}
			}
		}
	})
}

// folder is the static part of a Firehose prefix, up to its first expression.
func folder(prefix any) string {
	s, _ := prefix.(string)
	static, _, _ := strings.Cut(s, "!{")
	if i := strings.LastIndex(static, "/"); i >= 0 {
		return static[:i+1]
	}
	return ""
}

// Dynamic partitioning needs a buffer of at least 64 MiB and 60 s, and is fixed at create; the
// delivery compresses, partitions by event type, separates records with newlines and logs its
// errors.
func TestEvents_DeliveryPartitionsByTypeAndDayCompressedWithTheConfiguredBuffer(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		lake := a.byName[stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierLake)]
		for id, delivery := range resourcesOf(lake, "AWS::KinesisFirehose::DeliveryStream") {
			s3 := propertiesOf(delivery)["ExtendedS3DestinationConfiguration"].(map[string]any)
			buffer := s3["BufferingHints"].(map[string]any)
			partitioning, _ := s3["DynamicPartitioningConfiguration"].(map[string]any)
			if partitioning["Enabled"] != true {
				t.Errorf("%s: dynamic partitioning is off", id)
			}
			if size := buffer["SizeInMBs"].(float64); size < 64 || !sameNumber(buffer["IntervalInSeconds"], env.Events.DeliveryBufferSeconds) {
				t.Errorf("%s buffers %v MiB and %v s; dynamic partitioning needs at least 64 MiB, and events.deliveryBufferSeconds is %d", id, size, buffer["IntervalInSeconds"], env.Events.DeliveryBufferSeconds)
			}
			if s3["CompressionFormat"] != "GZIP" {
				t.Errorf("%s compresses with %v, want GZIP", id, s3["CompressionFormat"])
			}
			if logs, _ := s3["CloudWatchLoggingOptions"].(map[string]any); logs["Enabled"] != true {
				t.Errorf("%s does not log its errors", id)
			}
			if !strings.Contains(fmt.Sprint(s3["Prefix"]), "type=!{partitionKeyFromQuery:type}/") || !strings.Contains(fmt.Sprint(s3["Prefix"]), "date=!{timestamp:yyyy-MM-dd}/") {
				t.Errorf("%s writes to %v, want partitions by type and day", id, s3["Prefix"])
			}
			processors := map[string]string{}
			for _, raw := range asList(s3["ProcessingConfiguration"].(map[string]any)["Processors"]) {
				processor := raw.(map[string]any)
				processors[processor["Type"].(string)] = jsonOf(processor["Parameters"])
			}
			if !strings.Contains(processors["MetadataExtraction"], `"type\":.[\"detail-type\"]`) || !strings.Contains(processors["MetadataExtraction"], "JQ-1.6") {
				t.Errorf("%s extracts %s, want the detail-type with JQ 1.6", id, processors["MetadataExtraction"])
			}
			if _, ok := processors["AppendDelimiterToRecord"]; !ok {
				t.Errorf("%s writes records without a delimiter: objects would not be JSON lines", id)
			}
		}
	})
}

// Deleting a bus fails while it has rules, and an archive keeps a rule on its bus: a kept
// archive needs a kept bus, or the stack's deletion fails on the bus.
func TestEvents_ABusIsKeptAsLongAsItsArchive(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		archives := 0
		for _, s := range a.stacks {
			for id, archive := range resourcesOf(s, "AWS::Events::Archive") {
				archives++
				bus := s.Template.Resources[refTo(propertiesOf(archive)["SourceArn"])]
				if retainingPolicies[fmt.Sprint(archive["DeletionPolicy"])] && (bus == nil || !retainingPolicies[fmt.Sprint(bus["DeletionPolicy"])]) {
					t.Errorf("%s/%s is kept when its stack goes, and its bus is not: the bus's deletion would fail on the archive's rule", s.Name, id)
				}
			}
		}
		if archives == 0 {
			t.Error("no archive in the assembly: the rule checked nothing")
		}
	})
}

// observabilityGaps lists what the environment's dashboards and alarms do not show of a region's
// event tier: the work queue, the dead-letter queue and the stream on a dashboard, and an alarm
// on the dead-letter queue's depth. envPrefix selects the environment's stacks.
func observabilityGaps(a *deployed, envPrefix string, tier eventTier, workQueueName string) []string {
	shown := map[string]bool{}
	literal := ""
	for _, s := range a.stacks {
		if !strings.HasPrefix(s.Name, envPrefix) {
			continue
		}
		for _, dashboard := range resourcesOf(s, "AWS::CloudWatch::Dashboard") {
			body := propertiesOf(dashboard)["DashboardBody"]
			maps.Copy(shown, a.referencedResources(s, body))
			literal += jsonOf(body)
		}
	}
	var gaps []string
	for _, want := range []struct{ what, id string }{
		{"the work queue", tier.workQueue}, {"the dead-letter queue", tier.deadLetters}, {"the event stream", tier.stream},
	} {
		byName := want.id == tier.workQueue && strings.Contains(literal, workQueueName)
		if !shown[tier.ref(want.id)] && !byName {
			gaps = append(gaps, "no dashboard shows "+want.what+" ("+tier.ref(want.id)+")")
		}
	}
	alarmed := false
	for _, s := range a.stacks {
		if !strings.HasPrefix(s.Name, envPrefix) {
			continue
		}
		for _, alarm := range resourcesOf(s, "AWS::CloudWatch::Alarm") {
			props := propertiesOf(alarm)
			if strings.Contains(jsonOf(props), "ApproximateNumberOfMessagesVisible") && a.referencedResources(s, props)[tier.ref(tier.deadLetters)] {
				alarmed = true
			}
		}
	}
	if !alarmed {
		gaps = append(gaps, "no alarm on the dead-letter queue's depth (ApproximateNumberOfMessagesVisible of "+tier.ref(tier.deadLetters)+")")
	}
	return gaps
}

// The observability tier (dashboards and alarms per region) is built apart from this one. When
// it lands, its dashboards must show every region's work queue, dead-letter queue and event
// stream, and an alarm must watch each dead-letter queue's depth: a message there always needs
// a person. Until the assembly has a dashboard, this test skips.
func TestEvents_DashboardsAndAlarmsCoverTheQueuesAndTheStream(t *testing.T) {
	dashboards := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, s := range a.stacks {
			dashboards += len(resourcesOf(s, "AWS::CloudWatch::Dashboard"))
		}
	})
	if dashboards == 0 {
		t.Skip("no AWS::CloudWatch::Dashboard in the assembly yet (the observability tier has not landed): when it does, its dashboards must show each region's work queue, dead-letter queue and event stream, and an alarm must watch each dead-letter queue's depth")
	}
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		tier := eventTierOf(t, a, p, env, region)
		for _, gap := range observabilityGaps(a, p.Config.Name+"-"+env.Name+"-", tier, stacks.WorkQueueName(p.Config.Name, env.Name)) {
			t.Error(gap)
		}
	})
}

// The check above, on hand-made assemblies: it finds nothing missing when a dashboard in another
// stack shows the queues and the stream through weak references and an alarm watches the
// dead-letter queue, and names each thing missing otherwise.
func TestEvents_ObservabilityCheckNamesWhatIsMissing(t *testing.T) {
	eventsStack := &assembly.Stack{Name: "acme-prod-us-east-1-events", Template: assembly.Template{
		Resources: map[string]map[string]any{
			"Work": {"Type": "AWS::SQS::Queue"}, "DeadLetters": {"Type": "AWS::SQS::Queue"}, "Stream": {"Type": "AWS::Kinesis::Stream"},
		},
		Outputs: map[string]any{
			"WorkName":        map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{"Work", "QueueName"}}},
			"DeadLettersName": map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{"DeadLetters", "QueueName"}}},
			"StreamName":      map[string]any{"Value": map[string]any{"Ref": "Stream"}},
		},
	}}
	weak := func(output string) map[string]any {
		return map[string]any{"Fn::GetStackOutput": map[string]any{"StackName": eventsStack.Name, "OutputName": output}}
	}
	ops := func(widgets []any, alarmMetric, alarmQueue string) *assembly.Stack {
		return &assembly.Stack{Name: "acme-prod-us-east-1-ops", Template: assembly.Template{Resources: map[string]map[string]any{
			"Dashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": map[string]any{
				"DashboardBody": map[string]any{"Fn::Join": []any{"", widgets}},
			}},
			"DeadLetterAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{
				"MetricName": alarmMetric, "Namespace": "AWS/SQS",
				"Dimensions": []any{map[string]any{"Name": "QueueName", "Value": weak(alarmQueue)}},
			}},
		}}}
	}
	tier := eventTier{stack: eventsStack, workQueue: "Work", deadLetters: "DeadLetters", stream: "Stream"}
	assemble := func(s *assembly.Stack) *deployed {
		return &deployed{stacks: []*assembly.Stack{eventsStack, s}, byName: assembly.ByName([]*assembly.Stack{eventsStack, s})}
	}

	complete := ops([]any{`{"widgets":[{"metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","`, weak("WorkName"),
		`"],["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","`, weak("DeadLettersName"),
		`"],["AWS/Kinesis","GetRecords.IteratorAgeMilliseconds","StreamName","`, weak("StreamName"), `"]]}]}`}, "ApproximateNumberOfMessagesVisible", "DeadLettersName")
	if gaps := observabilityGaps(assemble(complete), "acme-prod-", tier, "acme-prod-work"); len(gaps) != 0 {
		t.Errorf("a complete dashboard and alarm: gaps %v", gaps)
	}
	byName := ops([]any{`{"metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","acme-prod-work"],["AWS/SQS","NumberOfMessagesSent","QueueName","`,
		weak("DeadLettersName"), `"],["AWS/Kinesis","IncomingRecords","StreamName","`, weak("StreamName"), `"]]}`}, "ApproximateNumberOfMessagesVisible", "DeadLettersName")
	if gaps := observabilityGaps(assemble(byName), "acme-prod-", tier, "acme-prod-work"); len(gaps) != 0 {
		t.Errorf("the work queue by its fixed name: gaps %v", gaps)
	}
	partial := ops([]any{`{"metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","`, weak("WorkName"), `"]]}`}, "NumberOfMessagesSent", "DeadLettersName")
	gaps := observabilityGaps(assemble(partial), "acme-prod-", tier, "acme-prod-work")
	want := []string{"the dead-letter queue", "the event stream", "no alarm on the dead-letter queue's depth"}
	if len(gaps) != len(want) {
		t.Fatalf("a dashboard of the work queue only, and no depth alarm: gaps %v, want %d naming %v", gaps, len(want), want)
	}
	for i, what := range want {
		if !strings.Contains(gaps[i], what) {
			t.Errorf("gap %d = %q, want it to name %s", i, gaps[i], what)
		}
	}
	workAlarm := ops([]any{`{"metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","`, weak("WorkName"),
		`"],["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","`, weak("DeadLettersName"),
		`"],["AWS/Kinesis","IncomingRecords","StreamName","`, weak("StreamName"), `"]]}`}, "ApproximateNumberOfMessagesVisible", "WorkName")
	if gaps := observabilityGaps(assemble(workAlarm), "acme-prod-", tier, "acme-prod-work"); len(gaps) != 1 || !strings.Contains(gaps[0], "no alarm on the dead-letter queue's depth") {
		t.Errorf("a depth alarm on the work queue only: gaps %v, want the dead-letter queue's depth alarm missing", gaps)
	}
	if gaps := observabilityGaps(assemble(complete), "acme-staging-", tier, "acme-prod-work"); len(gaps) != 4 {
		t.Errorf("another environment's dashboard counted for this one: gaps %v", gaps)
	}
}

// The environment's key lets EventBridge encrypt the bus and archive and deliver to encrypted
// queues in every region: without it, every put on the bus fails, as does every delivery.
func TestEvents_RegionsKeyLetsEventBridgeUseItForTheAccountsBusesAndQueues(t *testing.T) {
	eachEventRegion(t, func(t *testing.T, a *deployed, p *testkit.Platform, env config.Environment, region config.Region) {
		keysStack := a.byName[stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierKeys)]
		var policy any
		for _, resourceType := range []string{"AWS::KMS::Key", "AWS::KMS::ReplicaKey"} {
			for _, key := range resourcesOf(keysStack, resourceType) {
				policy = propertiesOf(key)["KeyPolicy"]
			}
		}
		text := jsonOf(policy)
		for _, context := range []string{
			fmt.Sprintf(`"kms:EncryptionContext:aws:events:event-bus:arn":"arn:aws:events:%s:%s:event-bus/*"`, region.Region, env.Account),
			fmt.Sprintf(`"kms:EncryptionContext:aws:sqs:arn":"arn:aws:sqs:%s:%s:*"`, region.Region, env.Account),
		} {
			if !strings.Contains(text, context) {
				t.Errorf("%s: the key's policy has no statement for EventBridge with %s", keysStack.Name, context)
			}
		}
	})
}
