// Package cdkcontext reads the context the CDK CLI hands an app (-c key=value, cdk.json's and
// cdk.context.json's) the way CDK's App reads it, without the App: the app checks its config
// before it starts the Node process the App runs in, so a config error costs no Node start.
package cdkcontext

import (
	"encoding/json"
	"fmt"
	"os"
)

// The variables the CLI hands the context in (aws-cdk-lib's cx-api: CONTEXT_ENV and
// CONTEXT_OVERFLOW_LOCATION_ENV): JSON, and the path of a JSON file for a context too large for
// the environment, whose keys win, as in App.
const (
	contextEnv  = "CDK_CONTEXT_JSON"
	overflowEnv = "CONTEXT_OVERFLOW_LOCATION_ENV"
)

// Context is an app's context.
type Context map[string]any

// Read reads the context as getenv and readFile see it (os.Getenv and os.ReadFile in the app).
func Read(getenv func(string) string, readFile func(string) ([]byte, error)) (Context, error) {
	context := Context{}
	if text := getenv(contextEnv); text != "" {
		if err := json.Unmarshal([]byte(text), &context); err != nil {
			return nil, fmt.Errorf("%s: %w", contextEnv, err)
		}
	}
	if file := getenv(overflowEnv); file != "" {
		data, err := readFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", overflowEnv, err)
		}
		overflow := Context{}
		if err := json.Unmarshal(data, &overflow); err != nil {
			return nil, fmt.Errorf("%s (%s): %w", overflowEnv, file, err)
		}
		for key, value := range overflow {
			context[key] = value
		}
	}
	return context, nil
}

// FromEnvironment is the app's own context: Read with os.Getenv and os.ReadFile.
func FromEnvironment() (Context, error) {
	return Read(os.Getenv, os.ReadFile)
}

// String is key's value if it is a non-empty string, else "".
func (c Context) String(key string) string {
	value, _ := c[key].(string)
	return value
}
