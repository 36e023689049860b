package main

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/example/platform/api/internal/config"
)

// No Docker engine runs the tests, so these read the Dockerfile and check what would
// otherwise only show when the image runs.

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case, such as FROM
	args string
}

// stage is a FROM and the instructions after it.
type stage struct {
	image, name  string
	instructions []instruction
}

func (s stage) all(cmd string) []string {
	var args []string
	for _, in := range s.instructions {
		if in.cmd == cmd {
			args = append(args, in.args)
		}
	}
	return args
}

func readStages(t *testing.T) []stage {
	t.Helper()
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stages []stage
	var pending string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending += cont + " "
			continue
		}
		line, pending = pending+line, ""
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			var fields []string
			for _, f := range strings.Fields(in.args) {
				if !strings.HasPrefix(f, "--") { // --platform=...
					fields = append(fields, f)
				}
			}
			st := stage{image: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				st.name = fields[2]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			if in.cmd == "ARG" {
				continue // ARGs before the first FROM are allowed
			}
			t.Fatalf("Dockerfile: %s before the first FROM", in.cmd)
		}
		stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a final one", len(stages))
	}
	return stages
}

// goLine returns the version on go.mod's go line.
func goLine(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("go.mod has no go line")
	return ""
}

var imageVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*`)

func TestDockerfile_BuildsWithGoModsGoVersion(t *testing.T) {
	build := readStages(t)[0]
	_, tag, ok := strings.Cut(build.image[strings.LastIndex(build.image, "/")+1:], ":")
	if !strings.Contains(build.image, "golang") || !ok {
		t.Fatalf("the build stage's image %q is not a tagged golang image", build.image)
	}
	// golang:1.26 or a patch release of it, such as golang:1.26.3-bookworm. A go line of
	// 1.26.0 (which modules needing the release rather than the language version write) is
	// met by golang:1.26, always a 1.26.x release.
	version, want := imageVersion.FindString(tag), strings.TrimSuffix(goLine(t), ".0")
	if version != want && !strings.HasPrefix(version, want+".") {
		t.Errorf("the build stage uses Go %s (%s) but go.mod says go %s; change one to match the other", version, build.image, want)
	}
	if !slices.ContainsFunc(build.all("ENV"), func(env string) bool { return strings.Contains(env, "CGO_ENABLED=0") }) {
		t.Error("the build stage does not set CGO_ENABLED=0; a cgo binary cannot run on distroless/static")
	}
}

func TestDockerfile_FinalStageRunsAsNonRoot(t *testing.T) {
	stages := readStages(t)
	final := stages[len(stages)-1]
	users := final.all("USER")
	if len(users) == 0 {
		t.Fatalf("the final stage (%s) sets no USER, so it runs as root", final.image)
	}
	user, group, _ := strings.Cut(users[len(users)-1], ":")
	uid, err := strconv.Atoi(user)
	if err != nil || uid == 0 || group == "0" {
		t.Errorf("USER %s: want a numeric non-root user such as 65532:65532 (so a runtime can verify it)", users[len(users)-1])
	}
}

func TestDockerfile_ExposesTheDefaultPort(t *testing.T) {
	stages := readStages(t)
	final := stages[len(stages)-1]
	want := strconv.Itoa(config.DefaultPort)
	for _, expose := range final.all("EXPOSE") {
		for _, port := range strings.Fields(expose) {
			if strings.TrimSuffix(port, "/tcp") == want {
				return
			}
		}
	}
	t.Errorf("the final stage exposes %v, want the service's default port %s", final.all("EXPOSE"), want)
}

func TestDockerfile_PinsEveryBaseImage(t *testing.T) {
	names := map[string]bool{}
	for _, st := range readStages(t) {
		if names[st.image] { // FROM an earlier stage
			continue
		}
		if st.name != "" {
			names[st.name] = true
		}
		last := st.image[strings.LastIndex(st.image, "/")+1:]
		if !strings.Contains(st.image, "@sha256:") && (!strings.Contains(last, ":") || strings.HasSuffix(last, ":latest")) {
			t.Errorf("FROM %s: pin a tag (or a digest), not latest", st.image)
		}
	}
}
