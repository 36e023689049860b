package testkit

import (
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/example/platform/internal/cfnvalidator"
)

// The validator's engine (a 9 MB WebAssembly module that compiles every bundled resource schema
// and rule when it is constructed) costs about 2 s and 390 MiB to start, whatever it then
// validates: a test binary starts one, in the validator's process, and hands every assembly to it.
var (
	syntheses   []string
	synthesesMu sync.Mutex
)

func countSynthesis(label string) {
	synthesesMu.Lock()
	defer synthesesMu.Unlock()
	syntheses = append(syntheses, label)
}

// Syntheses are the configs of every whole-app synthesis this test binary has made, in order
// (a variant appears under the config it changes).
func Syntheses() []string {
	synthesesMu.Lock()
	defer synthesesMu.Unlock()
	return append([]string(nil), syntheses...)
}

// Validation is what CDK's CloudFormation validator reports on an assembly, as validation-report.json
// has it: the violations left after the rules the app acknowledges.
type Validation struct {
	Violations []*awscdk.PolicyViolation
	// Acknowledged are the violations of rules a construct acknowledged (CDK itself does, for
	// W3010 on a stack that reads its availability zones), which do not fail the synthesis.
	Acknowledged []*awscdk.PolicyViolation
}

// Validate runs CDK's CloudFormation validator over every stack of p's assembly, as `cdk synth`
// runs it over every stage (each template with its stack's account and region, the rules a stack
// acknowledges set aside), once per platform, in the validator's process (PrepareValidation). It
// synthesizes nothing, and once PrepareValidation has run, calls nothing of CDK's: a parallel
// test may wait for it.
func (p *Platform) Validate(t testing.TB) *Validation {
	t.Helper()
	p.PrepareValidation()
	<-p.validationDone
	if p.validationErr != nil {
		t.Fatalf("%s: CDK's CloudFormation validator: %v", p.ConfigFile, p.validationErr)
	}
	p.splitOnce.Do(func() { p.validation = split(p.violations, p.acknowledged) })
	return p.validation
}

// PrepareValidation hands p's assembly to the validator's process, once each of after is
// closed, and returns at once: the validator checks it on the other core while the tests go on
// (Validate waits for its report).
func (p *Platform) PrepareValidation(after ...<-chan struct{}) {
	p.validateOnce.Do(func() {
		p.validationDone = make(chan struct{})
		stacks := cfnvalidator.Stacks(p.Assembly)
		p.acknowledged = acknowledgedRules(p.byName)
		go func() {
			defer close(p.validationDone)
			for _, c := range after {
				<-c
			}
			if len(stacks) == 0 {
				p.validationErr = errors.New("no stack to validate")
				return
			}
			p.violations, p.validationErr = askValidator(stacks)
		}()
	})
}

// acknowledgedRules are the rules one of stacks acknowledges ("<plugin>::<rule>").
func acknowledgedRules(stacks map[string]awscdk.Stack) map[string]bool {
	acknowledged := map[string]bool{}
	key := *awscdk.Validations_ACKNOWLEDGED_RULES_METADATA_KEY()
	for _, stack := range stacks {
		for _, entry := range *stack.Node().Metadata() {
			if entry.Type == nil || *entry.Type != key {
				continue
			}
			rules, _ := entry.Data.(map[string]any)
			for id := range rules {
				acknowledged[id] = true
			}
		}
	}
	return acknowledged
}

// split sets apart the violations of acknowledged rules.
func split(violations []*awscdk.PolicyViolation, acknowledged map[string]bool) *Validation {
	v := &Validation{}
	for _, violation := range violations {
		// CDK matches an acknowledgement to a rule of any resource, by "<plugin>::<rule>".
		if acknowledged[validatorNamespace+"::"+*violation.RuleName] {
			v.Acknowledged = append(v.Acknowledged, violation)
		} else {
			v.Violations = append(v.Violations, violation)
		}
	}
	return v
}

// validatorNamespace is how acknowledgements name the CloudFormation validator's rules.
const validatorNamespace = "CloudFormation-Validate"
