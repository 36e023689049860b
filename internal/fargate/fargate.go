// Package fargate holds the task sizes AWS Fargate accepts, for the config's validation
// (lib/config) and the service construct's (lib/service) to agree on.
package fargate

import (
	"fmt"
	"slices"
	"strings"
)

// sizes maps Fargate CPU units to the memory sizes (MiB) AWS accepts with them.
var sizes = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

// CPUSizes are the CPU units a Fargate task may have, smallest first.
func CPUSizes() []int { return []int{256, 512, 1024, 2048, 4096, 8192, 16384} }

func steps(from, to, step int) []int {
	var out []int
	for size := from; size <= to; size += step {
		out = append(out, size)
	}
	return out
}

// MemorySizes are the memory sizes (MiB) Fargate accepts with cpu units, and whether cpu is a
// Fargate CPU size at all.
func MemorySizes(cpu int) ([]int, bool) {
	memories, ok := sizes[cpu]
	return memories, ok
}

// Fits reports whether a task of cpu units and memoryMiB is one Fargate runs.
func Fits(cpu, memoryMiB int) bool {
	memories, ok := sizes[cpu]
	return ok && slices.Contains(memories, memoryMiB)
}

// Describe lists sizes for a message: "512, 1024, 2048", or "8192 to 30720 in steps of 1024".
func Describe(sizes []int) string {
	if len(sizes) <= 4 {
		return strings.Trim(strings.Join(strings.Fields(fmt.Sprint(sizes)), ", "), "[]")
	}
	return fmt.Sprintf("%d to %d in steps of %d", sizes[0], sizes[len(sizes)-1], sizes[1]-sizes[0])
}

// DescribeCPUSizes lists CPUSizes for a message: "256, 512, 1024, 2048, 4096, 8192 or 16384".
func DescribeCPUSizes() string {
	words := strings.Fields(strings.Trim(fmt.Sprint(CPUSizes()), "[]"))
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
