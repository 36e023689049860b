// Package propstest is for construct tests: it checks that a construct refuses bad props with
// lib/props' message, before CDK sees them. (test/constructkit's Assert does the opposite: it turns
// an unexpected panic into a failure.)
package propstest

import (
	"errors"
	"strings"
	"testing"

	"github.com/example/platform/lib/props"
)

// Panics runs build, which must panic with a *props.Error whose message contains every one of
// want; it returns that message.
func Panics(t testing.TB, build func(), want ...string) string {
	t.Helper()
	got := recovered(build)
	if got == nil {
		t.Fatalf("the construct accepted its props; want a panic containing %q", want)
	}
	err, isError := got.(error)
	var propsErr *props.Error
	if !isError || !errors.As(err, &propsErr) {
		t.Fatalf("the construct panicked with %T, not a *props.Error: it did not check its props itself: %v", got, got)
	}
	message := err.Error()
	for _, w := range want {
		if !strings.Contains(message, w) {
			t.Errorf("message:\n%s\nwant it to contain:\n%s", message, w)
		}
	}
	return message
}

func recovered(build func()) (got any) {
	defer func() { got = recover() }()
	build()
	return nil
}
