package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/example/platform/test/constructkit"
)

// markdownLink is an inline link or image, [text](target); targets with spaces are not used here.
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// headingSlugs are the anchors GitHub gives a Markdown file's headings: lower case, punctuation
// other than "-" and "_" dropped, spaces made hyphens, and "-1", "-2", ... on repeats.
func headingSlugs(text string) map[string]bool {
	slugs, seen := map[string]bool{}, map[string]int{}
	for _, line := range outsideCodeFences(text) {
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level == 0 || level > 6 || !strings.HasPrefix(line[level:], " ") {
			continue
		}
		slug := strings.Map(func(r rune) rune {
			switch {
			case r == ' ':
				return '-'
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				return unicode.ToLower(r)
			}
			return -1
		}, strings.TrimSpace(line[level:]))
		if n := seen[slug]; n > 0 {
			slugs[slug+"-"+strconv.Itoa(n)] = true
		} else {
			slugs[slug] = true
		}
		seen[slug]++
	}
	return slugs
}

// outsideCodeFences are the lines of text that are not inside a ``` block.
func outsideCodeFences(text string) []string {
	var lines []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			lines = append(lines, line)
		}
	}
	return lines
}

// Every relative link in README.md and docs/*.md reaches a file of the repository, and every
// anchor a heading of the page it names, so moving a section cannot strand a link to it.
func TestDocs_EveryRelativeLinkAndAnchorResolves(t *testing.T) {
	root := constructkit.RepoRoot(t)
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join(root, "README.md"))
	slugsOf := map[string]map[string]bool{}
	slugs := func(file string) map[string]bool {
		if s, ok := slugsOf[file]; ok {
			return s
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		slugsOf[file] = headingSlugs(string(data))
		return slugsOf[file]
	}
	checked := 0
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, page)
		for _, line := range outsideCodeFences(string(data)) {
			for _, m := range markdownLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if regexp.MustCompile(`^[a-z]+:`).MatchString(target) {
					continue
				}
				checked++
				file, anchor, _ := strings.Cut(target, "#")
				path := page
				if file != "" {
					path = filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
					if _, err := os.Stat(path); err != nil {
						t.Errorf("%s links to %s, which does not exist", name, target)
						continue
					}
				}
				if anchor != "" && strings.HasSuffix(path, ".md") && !slugs(path)[anchor] {
					t.Errorf("%s links to %s, but %s has no heading with the anchor #%s", name, target, filepath.Base(path), anchor)
				}
			}
		}
	}
	constructkit.CheckedSomething(t, checked, "relative link in README.md or docs/")
}

// The anchors are GitHub's: punctuation dropped, spaces hyphens, repeats numbered.
func TestDocs_HeadingSlugsAreGitHubs(t *testing.T) {
	got := headingSlugs("# Grafana (`monitoring.grafana`)\n## How requests reach the service, and what fails over\n" +
		"### Alarms\n```sh\n# not a heading\n```\n### Alarms\n#nospace\n")
	for _, want := range []string{"grafana-monitoringgrafana", "how-requests-reach-the-service-and-what-fails-over", "alarms", "alarms-1"} {
		if !got[want] {
			t.Errorf("no slug %q among %v", want, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("slugs %v: a fenced comment or #word is not a heading", got)
	}
}
