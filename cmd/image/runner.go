package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// runner runs a command with stdin and returns its standard output.
type runner interface {
	run(ctx context.Context, stdin, name string, args ...string) (string, error)
}

// commandError is a command that exited non-zero, with what it said.
type commandError struct {
	command string
	stderr  string
	err     error
}

func (e *commandError) Error() string {
	return fmt.Sprintf("%s: %v: %s", e.command, e.err, strings.TrimSpace(e.stderr))
}

// execRunner runs real commands; their standard error goes to the build log as well.
type execRunner struct{}

func (execRunner) run(ctx context.Context, stdin, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	if name == "docker" {
		cmd.Stdout = os.Stdout // build and push progress belongs in the log
	}
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Stderr.Write(stderr.Bytes())
		return "", &commandError{command: name + " " + strings.Join(args, " "), stderr: stderr.String(), err: err}
	}
	return stdout.String(), nil
}
