package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeAWS answers the docker and aws commands the tool runs from an in-memory registry: images
// by region, tag and digest, and the scan findings of the first region.
type fakeAWS struct {
	tags    map[string]map[string]string // region -> tag -> digest
	digests map[string]map[string]bool   // region -> digest
	built   string                       // the digest the next docker build + push produces
	scans   []string                     // describe-image-scan-findings answers in turn; the last repeats
	calls   []string
	failOn  string // a command line containing this fails
}

func newFake(regions ...string) *fakeAWS {
	f := &fakeAWS{tags: map[string]map[string]string{}, digests: map[string]map[string]bool{}, built: digestA, scans: []string{complete("null")}}
	for _, r := range regions {
		f.tags[r], f.digests[r] = map[string]string{}, map[string]bool{}
	}
	return f
}

const (
	digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	commit  = "3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3"
)

func arg(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func (f *fakeAWS) run(_ context.Context, stdin, name string, args ...string) (string, error) {
	line := name + " " + strings.Join(args, " ")
	f.calls = append(f.calls, line)
	if f.failOn != "" && strings.Contains(line, f.failOn) {
		return "", errors.New("failed")
	}
	region := arg(args, "--region")
	if name == "docker" {
		switch args[0] {
		case "push":
			ref := args[1]
			region := strings.Split(ref, ".")[3]
			tag := ref[strings.LastIndex(ref, ":")+1:]
			digest := f.built
			if f.tags[region][tag] == "" {
				f.tags[region][tag] = digest
			}
			f.digests[region][digest] = true
		case "tag":
			// docker tag <home ref@digest> <region ref:tag>: the pushed image keeps its digest.
			f.built = args[1][strings.LastIndex(args[1], "@")+1:]
		}
		return "", nil
	}
	switch args[1] {
	case "get-login-password":
		return "secret", nil
	case "describe-images":
		id := arg(args, "--image-ids")
		var digest string
		if tag, ok := strings.CutPrefix(id, "imageTag="); ok {
			digest = f.tags[region][tag]
		} else if d, ok := strings.CutPrefix(id, "imageDigest="); ok && f.digests[region][d] {
			digest = d
		}
		if digest == "" {
			return "", &commandError{command: line, stderr: "An error occurred (ImageNotFoundException)", err: errors.New("exit status 254")}
		}
		return `{"imageDetails":[{"imageDigest":"` + digest + `"}]}`, nil
	case "describe-image-scan-findings":
		answer := f.scans[0]
		if len(f.scans) > 1 {
			f.scans = f.scans[1:]
		}
		if answer == "ScanNotFoundException" {
			return "", &commandError{command: line, stderr: "An error occurred (ScanNotFoundException)", err: errors.New("exit status 254")}
		}
		return answer, nil
	case "batch-get-image":
		return `{"images":[{"imageManifest":"{}","imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json"}]}`, nil
	}
	return "", nil
}

// complete is a finished basic scan with these severity counts.
func complete(counts string) string {
	return `{"status": "COMPLETE", "description": "The scan was completed successfully.", "counts": ` + counts + `}`
}

func scanStatus(status, description string) string {
	return `{"status": "` + status + `", "description": "` + description + `", "counts": null}`
}

func (f *fakeAWS) ran(prefix string) int {
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func newTool(t *testing.T, fake *fakeAWS, edit func(*settings)) (tool, *bytes.Buffer) {
	s := settings{Account: "333333333333", Repository: "acme/api", Regions: []string{"us-east-1", "eu-west-1"},
		Output: filepath.Join(t.TempDir(), "image-digest.txt"), Dockerfile: "api/Dockerfile", ScanThreshold: "CRITICAL", Commit: commit}
	if edit != nil {
		edit(&s)
	}
	var log bytes.Buffer
	clock := time.Date(2026, 11, 23, 14, 5, 9, 0, time.UTC)
	return tool{run: fake, settings: s, log: &log,
		now:   func() time.Time { return clock },
		sleep: func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }}, &log
}

func written(t *testing.T, tl tool) string {
	data, err := os.ReadFile(tl.settings.Output)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func TestPublish_BuildsOncePushesTheSameDigestToEveryRegionAndWritesIt(t *testing.T) {
	fake := newFake("us-east-1", "eu-west-1")
	tl, _ := newTool(t, fake, nil)
	if err := tl.publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := fake.ran("docker build"); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}
	if !strings.Contains(strings.Join(fake.calls, "\n"), "docker build --file api/Dockerfile --tag 333333333333.dkr.ecr.us-east-1.amazonaws.com/acme/api:git-"+commit+" api") {
		t.Errorf("did not build the commit's image from api/:\n%s", strings.Join(fake.calls, "\n"))
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		if fake.tags[region]["git-"+commit] != digestA {
			t.Errorf("%s has git-%s = %q, want %s", region, commit, fake.tags[region]["git-"+commit], digestA)
		}
	}
	if got := written(t, tl); got != digestA {
		t.Errorf("wrote %q, want %s", got, digestA)
	}
}

// Self-mutation starts the pipeline again for the same commit: the image is not built twice.
func TestPublish_ReusesTheCommitsImageWhenItIsAlreadyPushed(t *testing.T) {
	fake := newFake("us-east-1", "eu-west-1")
	fake.tags["us-east-1"]["git-"+commit], fake.digests["us-east-1"][digestB] = digestB, true
	tl, log := newTool(t, fake, nil)
	if err := tl.publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := fake.ran("docker build"); n != 0 {
		t.Errorf("built %d times for a commit whose image exists", n)
	}
	if fake.tags["eu-west-1"]["git-"+commit] != digestB || written(t, tl) != digestB {
		t.Errorf("eu-west-1 has %q, wrote %q; want the existing %s everywhere", fake.tags["eu-west-1"]["git-"+commit], written(t, tl), digestB)
	}
	if !strings.Contains(log.String(), "not building again") {
		t.Errorf("log does not say why nothing was built:\n%s", log)
	}
}

func TestPublish_StopsWhenTheScanFindsAnythingAtOrAboveTheThreshold(t *testing.T) {
	for _, c := range []struct {
		threshold, findings string
		stops               bool
	}{
		{"CRITICAL", `{"HIGH": 3, "LOW": 7}`, false},
		{"HIGH", `{"HIGH": 3, "LOW": 7}`, true},
		{"CRITICAL", `{"CRITICAL": 1}`, true},
		{"LOW", `null`, false},
	} {
		fake := newFake("us-east-1", "eu-west-1")
		fake.scans = []string{complete(c.findings)}
		tl, _ := newTool(t, fake, func(s *settings) { s.ScanThreshold = c.threshold })
		err := tl.publish(context.Background())
		if stopped := err != nil; stopped != c.stops {
			t.Errorf("threshold %s, findings %s: error %v, want stopped=%v", c.threshold, c.findings, err, c.stops)
		}
		if c.stops {
			if _, statErr := os.Stat(tl.settings.Output); statErr == nil {
				t.Errorf("threshold %s: wrote a digest the environments would deploy despite the findings", c.threshold)
			}
		}
	}
}

func TestPublish_WaitsForTheScanAndStopsOnAScanThatCannotFinish(t *testing.T) {
	for _, c := range []struct {
		name  string
		scans []string
		want  string // in the error; "" when the release goes on
	}{
		{"not started, then running, then done", []string{"ScanNotFoundException", scanStatus("IN_PROGRESS", ""), complete(`{"LOW": 1}`)}, ""},
		{"enhanced scanning keeps watching", []string{scanStatus("PENDING", ""), `{"status": "ACTIVE", "counts": {"MEDIUM": 2}}`}, ""},
		{"basic scanning cannot read the image", []string{scanStatus("UNSUPPORTED_IMAGE", "UnsupportedImageError: The operating system and/or package manager are not supported.")}, ""},
		{"the scan failed", []string{scanStatus("FAILED", "internal error")}, "ended FAILED"},
		{"the scan never finishes", []string{scanStatus("IN_PROGRESS", "")}, "still IN_PROGRESS after 15m0s"},
	} {
		fake := newFake("us-east-1", "eu-west-1")
		fake.scans = c.scans
		tl, log := newTool(t, fake, nil)
		err := tl.publish(context.Background())
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want the release to go on", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
		if strings.Contains(c.name, "cannot read") && !strings.Contains(log.String(), "WARNING: basic scanning cannot read") {
			t.Errorf("%s: the log does not warn that the findings are unknown:\n%s", c.name, log)
		}
	}
}

func TestPublish_APinnedReleaseIsCheckedInEveryRegionAndNotBuilt(t *testing.T) {
	fake := newFake("us-east-1", "eu-west-1")
	fake.digests["us-east-1"][digestB] = true
	tl, _ := newTool(t, fake, func(s *settings) { s.ReleaseDigest = digestB })
	err := tl.publish(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not in eu-west-1's repository") {
		t.Fatalf("a pin missing in eu-west-1: error %v", err)
	}
	fake.digests["eu-west-1"][digestB] = true
	if err := tl.publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fake.ran("docker") != 0 || written(t, tl) != digestB {
		t.Errorf("ran docker %d times, wrote %q; want no build and the pin", fake.ran("docker"), written(t, tl))
	}
}

func TestPublish_RefusesRegionsThatWouldRunDifferentImages(t *testing.T) {
	fake := newFake("us-east-1", "eu-west-1")
	fake.tags["eu-west-1"]["git-"+commit] = digestB // left by an earlier, different build
	tl, _ := newTool(t, fake, nil)
	if err := tl.publish(context.Background()); err == nil || !strings.Contains(err.Error(), "different images") {
		t.Fatalf("error %v, want the regions' images to differ", err)
	}
}

func TestMarkDeployed_TagsTheReleaseInEachRegionWithTheEnvironmentAndTime(t *testing.T) {
	fake := newFake("us-east-1", "eu-west-1")
	tl, _ := newTool(t, fake, func(s *settings) { s.Environment, s.TagPrefix = "prod", "deployed-" })
	if err := os.WriteFile(tl.settings.Output, []byte(digestA+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := tl.markDeployed(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		want := "aws ecr put-image --repository-name acme/api --image-tag deployed-prod-20261123140509 --image-manifest {} --image-manifest-media-type application/vnd.oci.image.manifest.v1+json --region " + region
		if !strings.Contains(strings.Join(fake.calls, "\n"), want) {
			t.Errorf("no %q in:\n%s", want, strings.Join(fake.calls, "\n"))
		}
	}
}

func TestReadSettings_NamesEveryMissingVariable(t *testing.T) {
	_, err := readSettings(func(string) (string, bool) { return "", false })
	if err == nil || err.Error() != "set IMAGE_ACCOUNT, IMAGE_OUTPUT, IMAGE_REGIONS, IMAGE_REPOSITORY (the pipeline step sets them)" {
		t.Errorf("error = %v", err)
	}
}
