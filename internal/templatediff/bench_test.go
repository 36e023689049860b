package templatediff_test

import (
	"testing"

	"github.com/example/platform/internal/templatediff"
)

func BenchmarkCompare_Fixtures(b *testing.B) {
	for b.Loop() {
		if _, err := templatediff.Compare("testdata/base", "testdata/head"); err != nil {
			b.Fatal(err)
		}
	}
}
