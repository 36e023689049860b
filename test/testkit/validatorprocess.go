package testkit

import (
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/example/platform/internal/cfnvalidator"
)

// CDK's validator runs in a process of its own, as the app runs it (internal/cfnvalidator): the
// test binary run again, with its own jsii runtime and one engine for every assembly the tests
// hand it. In the test binary's Node process it would hold up the syntheses, which are
// single-threaded and serialized there; in its own it starts its engine and checks a config's
// templates on the other core, while the tests synthesize the rest (PrepareValidation). A test
// binary that validates calls cfnvalidator.Serve first thing in TestMain.
var validatorProcess struct {
	once    sync.Once
	process *cfnvalidator.Process
	err     error
}

// ValidatorProcess is the test binary's validator's process, started on first use.
func ValidatorProcess(t testing.TB) *cfnvalidator.Process {
	t.Helper()
	process, err := startedValidator()
	if err != nil {
		t.Fatalf("CDK's CloudFormation validator: %v", err)
	}
	return process
}

func startedValidator() (*cfnvalidator.Process, error) {
	p := &validatorProcess
	p.once.Do(func() { p.process, p.err = cfnvalidator.Start() })
	return p.process, p.err
}

// askValidator hands stacks to the validator's process, in the background lane, and returns its
// violations.
func askValidator(stacks []*awscdk.PolicyValidationStack) (violations []*awscdk.PolicyViolation, err error) {
	process, err := startedValidator()
	if err != nil {
		return nil, err
	}
	InBackgroundLane(func() { violations, err = process.Validate(stacks) })
	return violations, err
}

// StopValidator ends the validator's process, if one started, and waits for it.
func StopValidator() {
	if p := &validatorProcess; p.process != nil {
		p.process.Close()
	}
}
