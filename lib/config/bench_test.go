package config_test

import (
	"os"
	"testing"

	"github.com/example/platform/lib/config"
)

func BenchmarkParse_TwoEnvironments(b *testing.B) {
	data, err := os.ReadFile("testdata/valid-two-environments.json")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := config.Parse("valid-two-environments.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
