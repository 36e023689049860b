package config

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Error lists every problem found in one config file.
type Error struct {
	File     string
	Problems []Problem
}

// Problem is one thing wrong with a config file, at a field path such as
// environments[1].regions[0].cidr.
type Problem struct {
	Path    string
	Message string
}

func (e *Error) Error() string {
	var b strings.Builder
	count := "1 problem"
	if len(e.Problems) != 1 {
		count = fmt.Sprintf("%d problems", len(e.Problems))
	}
	fmt.Fprintf(&b, "%s: %s", e.File, count)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

type problems struct {
	list []Problem
	// defaulted are the paths applyDefaults filled: a message about the value there says it
	// was the default, not something the file said.
	defaulted defaulted
}

// shown is text, the value at path as a message shows it, marked "(the default)" when the
// config left the field out and applyDefaults filled it.
func (p *problems) shown(path, text string) string {
	if p.defaulted[path] {
		return text + " (the default)"
	}
	return text
}

// value is shown for a value printed as is; quoted for a string printed in quotes.
func (p *problems) value(path string, v any) string { return p.shown(path, fmt.Sprint(v)) }
func (p *problems) quoted(path, s string) string    { return p.shown(path, fmt.Sprintf("%q", s)) }

func (p *problems) add(path, message string) {
	p.list = append(p.list, Problem{Path: path, Message: message})
}

func (p *problems) addf(path, format string, args ...any) {
	p.add(path, fmt.Sprintf(format, args...))
}

func (p *problems) any() bool { return len(p.list) > 0 }

// Load reads, decodes, defaults and validates the config file at path. Any problem, from a
// missing file to overlapping CIDRs, comes back as one *Error naming the file and every problem.
func Load(path string) (*Platform, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, &Error{File: path, Problems: []Problem{{Message: readMessage(err)}}}
	}
	return Parse(path, data)
}

// readLimited reads at most one byte past MaxConfigBytes, so that a huge file is refused
// without being read.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxConfigBytes+1))
}

// Parse is Load for bytes already read; file names the source in messages.
func Parse(file string, data []byte) (*Platform, error) {
	var found problems
	platform := &Platform{}
	undecoded, ok := decodeStrict(data, platform, &found)
	if !ok {
		return nil, &Error{File: file, Problems: found.list}
	}
	semantic := problems{defaulted: applyDefaults(platform)}
	validate(platform, &semantic)
	for _, p := range semantic.list {
		if !under(p.Path, undecoded) {
			found.add(p.Path, p.Message)
		}
	}
	if found.any() {
		return nil, &Error{File: file, Problems: found.list}
	}
	return platform, nil
}

// under reports whether path is one of roots or inside one of them.
func under(path string, roots []string) bool {
	for _, root := range roots {
		if path == root || strings.HasPrefix(path, root+".") || strings.HasPrefix(path, root+"[") {
			return true
		}
	}
	return false
}

func readMessage(err error) string {
	if os.IsNotExist(err) {
		return "no such file; pass an existing config with -c config=config/<name>.json (make synth CONFIG=...)"
	}
	return fmt.Sprintf("cannot read: %v", err)
}

// SetImageDigest makes every region run the release with digest (sha256:...) from the
// platform's repositories instead of the bootstrap image; the pipeline passes the digest it
// built as the imageDigest context value.
func (p *Platform) SetImageDigest(digest string) error {
	var found problems
	checkDigest(&found, "imageDigest", digest)
	if found.any() {
		return &Error{File: "context value imageDigest", Problems: found.list}
	}
	p.Service.ImageDigest = digest
	return nil
}
