// Package cfnvalidator runs CDK's CloudFormation validator (the plugin `cdk synth` runs when
// CDK_VALIDATION is not false, with its default rules) in a process of its own.
//
// In the app's own Node process the validator holds up the synthesis: it builds its engine (a
// 9 MB WebAssembly module that compiles every bundled schema and rule, about 2 s) and then checks
// every template, on the one thread that also serves the app's construct calls. In a process of
// its own, started as the app starts, it builds its engine on the other core while the app builds
// its constructs, and checks each stage's templates as soon as they are written. The rules, the
// engine and the findings are CDK's: the app hands CDK a plugin (Plugin) that forwards to them,
// under the same name, so acknowledgements and the report read the same.
package cfnvalidator

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// serveEnv, set, makes a binary that calls Serve first thing a validator process.
const serveEnv = "PLATFORM_CFN_VALIDATOR"

// request is one set of stacks to validate; response what the validator reported on them.
type request struct {
	Stacks []*awscdk.PolicyValidationStack
}

type response struct {
	Violations []*awscdk.PolicyViolation
	Version    string
	Error      string
}

// Serve, in a process Start started, builds the validator's engine at once, answers each request
// on stdin with its report on stdout and exits at the end of stdin; anywhere else it returns at
// once. A binary that starts validators (the app, a test binary) calls it first thing in main
// or TestMain.
func Serve() {
	if os.Getenv(serveEnv) == "" {
		return
	}
	in := json.NewDecoder(bufio.NewReader(os.Stdin))
	// The reports have stdout to themselves: jsii copies what Node prints there to os.Stdout,
	// which from here on is stderr.
	out := json.NewEncoder(os.Stdout)
	os.Stdout = os.Stderr
	plugin := awscdk.NewCloudFormationValidatePlugin(nil)
	version := *plugin.Version()
	for {
		var req request
		if err := in.Decode(&req); err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintln(os.Stderr, "CloudFormation validator:", err)
				os.Exit(1)
			}
			// Stop Node before exiting: its CPU time counts as the run's.
			jsii.Close()
			os.Exit(0)
		}
		resp := response{Version: version}
		func() {
			defer func() {
				if r := recover(); r != nil {
					resp.Error = fmt.Sprint(r)
				}
			}()
			resp.Violations = *plugin.Validate(NewContext(req.Stacks)).Violations
		}()
		if err := out.Encode(resp); err != nil {
			os.Exit(1)
		}
	}
}

// Process is one running validator: this executable run again, serving (Serve).
type Process struct {
	mu     sync.Mutex // one request at a time
	cmd    *exec.Cmd
	tmpdir string // the Node wrapper's, if any
	in     io.WriteCloser
	out    *json.Decoder
	err    error
	closed bool
	// validatorVersion is the validator's version, as its last report gave it.
	validatorVersion string
	requests         int
}

// Start starts a validator process, which builds its engine at once.
func Start() (*Process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: exec.Command(self)}
	p.cmd.Env = append(os.Environ(), serveEnv+"=1")
	if node, dir := singleThreadedNode(); node != "" {
		p.tmpdir = dir
		p.cmd.Env = append(p.cmd.Env, "JSII_NODE="+node)
	}
	p.cmd.Stderr = os.Stderr
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.out = json.NewDecoder(bufio.NewReader(stdout))
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// Validate hands stacks to the process and returns the validator's violations.
func (p *Process) Validate(stacks []*awscdk.PolicyValidationStack) ([]*awscdk.PolicyViolation, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	if p.closed {
		return nil, errors.New("the CloudFormation validator's process has been stopped")
	}
	var resp response
	p.requests++
	if err := json.NewEncoder(p.in).Encode(request{Stacks: stacks}); err != nil {
		p.err = fmt.Errorf("the CloudFormation validator's process: %w", err)
	} else if err := p.out.Decode(&resp); err != nil {
		p.err = fmt.Errorf("the CloudFormation validator's process ended without a report: %w", err)
	}
	if p.err != nil {
		return nil, p.err
	}
	if resp.Error != "" {
		return nil, errors.New(resp.Error)
	}
	p.validatorVersion = resp.Version
	return resp.Violations, nil
}

// Requests counts the requests the process has been handed.
func (p *Process) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// version is the validator's version, once it has reported; nil before.
func (p *Process) version() *string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.validatorVersion == "" {
		return nil
	}
	return jsii.String(p.validatorVersion)
}

// singleThreadedNode writes a script that runs node with --single-threaded, for jsii to start
// the validator's Node with (JSII_NODE), and returns its path and directory; "" where it cannot
// (Windows, a JSII_NODE the user chose, or a temporary directory that runs nothing, as a noexec
// mount), and Node then runs as it would. V8 compiles the validator's WebAssembly on threads of
// its own otherwise: measured on 2 cores, the engine took 2.5 s to build and the process 7.5 s of
// CPU to check example.json, against 0.8 s and 5.1 s single-threaded, and the threads took the
// core the synthesis runs on. The app's own Node keeps its threads: it loses 1 s without them.
func singleThreadedNode() (path, dir string) {
	if runtime.GOOS == "windows" || os.Getenv("JSII_NODE") != "" {
		return "", ""
	}
	dir, err := os.MkdirTemp("", "cfnvalidator-")
	if err != nil {
		return "", ""
	}
	path = filepath.Join(dir, "node")
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexec node --single-threaded \"$@\"\n"), 0o755); err != nil {
		os.RemoveAll(dir)
		return "", ""
	}
	if err := exec.Command(path, "--version").Run(); err != nil {
		os.RemoveAll(dir)
		return "", ""
	}
	return path, dir
}

// Close ends the process and waits for it.
func (p *Process) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.in.Close()
	p.cmd.Wait()
	if p.tmpdir != "" {
		os.RemoveAll(p.tmpdir)
	}
}
