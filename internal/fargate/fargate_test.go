package fargate_test

import (
	"testing"

	"github.com/example/platform/internal/fargate"
)

func TestFargate_PairsEveryCPUSizeWithItsMemorySizes(t *testing.T) {
	for _, c := range []struct {
		cpu, memory int
		fits        bool
	}{{256, 512, true}, {256, 4096, false}, {512, 1024, true}, {4096, 30720, true}, {4096, 1024, false}, {8192, 20480, true}, {8192, 18432, false}, {300, 1024, false}} {
		if got := fargate.Fits(c.cpu, c.memory); got != c.fits {
			t.Errorf("Fits(%d, %d) = %v, want %v", c.cpu, c.memory, got, c.fits)
		}
	}
	for _, cpu := range fargate.CPUSizes() {
		if _, ok := fargate.MemorySizes(cpu); !ok {
			t.Errorf("CPU size %d has no memory sizes", cpu)
		}
	}
}

func TestFargate_DescribesSizesForAMessage(t *testing.T) {
	memories, _ := fargate.MemorySizes(4096)
	if got := fargate.Describe(memories); got != "8192 to 30720 in steps of 1024" {
		t.Errorf("Describe(4096's sizes) = %q", got)
	}
	memories, _ = fargate.MemorySizes(256)
	if got := fargate.Describe(memories); got != "512, 1024, 2048" {
		t.Errorf("Describe(256's sizes) = %q", got)
	}
	if got := fargate.DescribeCPUSizes(); got != "256, 512, 1024, 2048, 4096, 8192 or 16384" {
		t.Errorf("DescribeCPUSizes() = %q", got)
	}
}
