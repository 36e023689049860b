package config_test

import (
	"os"
	"testing"

	"github.com/example/platform/lib/config"
)

func BenchmarkParse_Example(b *testing.B) {
	data, err := os.ReadFile("../../config/example.json")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := config.Parse("example.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
