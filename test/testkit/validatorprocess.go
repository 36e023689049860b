package testkit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// CDK's validator runs in a process of its own: the test binary run again (ServeValidator), with
// its own jsii runtime and one engine for every assembly the tests hand it. In the test binary's
// Node process it would hold up the syntheses, which are single-threaded and serialized there;
// in its own it starts its engine and checks a config's templates on the other core, while the
// tests synthesize the rest (PrepareValidation).

// validatorEnv, set, makes the test binary the validator's process.
const validatorEnv = "PLATFORM_TEST_VALIDATOR"

// validationRequest is one assembly's stacks to validate; validationResponse what the validator
// reported on them.
type validationRequest struct {
	Stacks []*awscdk.PolicyValidationStack
}

type validationResponse struct {
	Violations []*awscdk.PolicyViolation
	Error      string
}

// ServeValidator, in the process a test binary starts for the validator, answers each request
// on stdin with CDK's CloudFormation validator's report on stdout, then exits; elsewhere it
// returns at once. A test package that validates calls it first thing in TestMain.
func ServeValidator() {
	if os.Getenv(validatorEnv) == "" {
		return
	}
	in := json.NewDecoder(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for {
		var req validationRequest
		if err := in.Decode(&req); err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintln(os.Stderr, "validator process:", err)
				os.Exit(1)
			}
			// Stop Node before exiting, as Main does: its CPU time counts as the run's.
			jsii.Close()
			os.Exit(0)
		}
		var resp validationResponse
		func() {
			defer func() {
				if r := recover(); r != nil {
					resp.Error = fmt.Sprint(r)
				}
			}()
			resp.Violations = *validator().Validate(&validationContext{stacks: req.Stacks}).Violations
		}()
		if err := out.Encode(resp); err != nil {
			os.Exit(1)
		}
	}
}

// validatorProcess is the running validator's process, started on first use.
var validatorProcess struct {
	once   sync.Once
	mu     sync.Mutex // one request at a time
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *json.Decoder
	err    error
	closed bool
}

func startValidatorProcess() {
	p := &validatorProcess
	self, err := os.Executable()
	if err != nil {
		p.err = err
		return
	}
	p.cmd = exec.Command(self)
	p.cmd.Env = append(os.Environ(), validatorEnv+"=1")
	p.cmd.Stderr = os.Stderr
	if p.in, err = p.cmd.StdinPipe(); err == nil {
		var stdout io.ReadCloser
		if stdout, err = p.cmd.StdoutPipe(); err == nil {
			p.out = json.NewDecoder(bufio.NewReader(stdout))
			err = p.cmd.Start()
		}
	}
	p.err = err
}

// askValidator hands stacks to the validator's process and returns its violations.
func askValidator(stacks []*awscdk.PolicyValidationStack) ([]*awscdk.PolicyViolation, error) {
	p := &validatorProcess
	p.once.Do(startValidatorProcess)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, fmt.Errorf("the validator's process: %w", p.err)
	}
	if p.closed {
		return nil, errors.New("the validator's process has been stopped")
	}
	var resp validationResponse
	InBackgroundLane(func() {
		if err := json.NewEncoder(p.in).Encode(validationRequest{Stacks: stacks}); err != nil {
			p.err = fmt.Errorf("the validator's process: %w", err)
		} else if err := p.out.Decode(&resp); err != nil {
			p.err = fmt.Errorf("the validator's process ended without a report: %w", err)
		}
	})
	if p.err != nil {
		return nil, p.err
	}
	if resp.Error != "" {
		return nil, errors.New(resp.Error)
	}
	return resp.Violations, nil
}

// StopValidator ends the validator's process, if one started, and waits for it.
func StopValidator() {
	p := &validatorProcess
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.closed || p.cmd.Process == nil {
		return
	}
	p.closed = true
	p.in.Close()
	p.cmd.Wait()
}
