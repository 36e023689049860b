package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// tool runs the commands with run, reporting to log.
type tool struct {
	run      runner
	settings settings
	log      io.Writer
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
}

// sleepFor waits d or until ctx ends.
func sleepFor(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (t tool) registry(region string) string {
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com", t.settings.Account, region)
}

func (t tool) reference(region, tagOrDigest string) string {
	separator := ":"
	if strings.HasPrefix(tagOrDigest, "sha256:") {
		separator = "@"
	}
	return t.registry(region) + "/" + t.settings.Repository + separator + tagOrDigest
}

// publish makes the release available in every region and writes its digest.
func (t tool) publish(ctx context.Context) error {
	s := t.settings
	if err := s.checkPublish(); err != nil {
		return err
	}
	home := s.Regions[0]
	var digest string
	if s.ReleaseDigest != "" {
		digest = s.ReleaseDigest
		fmt.Fprintf(t.log, "deploying the pinned release %s (service.releaseDigest)\n", digest)
		for _, region := range s.Regions {
			found, err := t.describe(ctx, region, "imageDigest="+digest)
			if err != nil {
				return err
			}
			if found == "" {
				return fmt.Errorf("the pinned release %s is not in %s's repository %s (expired, or never pushed there): pin a release every region still has (aws ecr describe-images --repository-name %s --region %s)",
					digest, region, s.Repository, s.Repository, region)
			}
		}
	} else {
		var err error
		if digest, err = t.buildOnce(ctx); err != nil {
			return err
		}
		if err := t.pushEverywhere(ctx, digest); err != nil {
			return err
		}
	}
	if err := t.scanGate(ctx, home, digest); err != nil {
		return err
	}
	if err := os.WriteFile(s.Output, []byte(digest+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(t.log, "release %s is in %s; every environment deploys this digest\n", digest, strings.Join(s.Regions, ", "))
	return nil
}

// commitTag is the immutable tag of the commit's image.
func (t tool) commitTag() string { return "git-" + t.settings.Commit }

// buildOnce returns the digest of the commit's image in the first region, building and pushing
// it only if it is not there yet: a pipeline run repeated for the same commit (self-mutation
// starts it again) must not build a second, different image under the same immutable tag.
func (t tool) buildOnce(ctx context.Context) (string, error) {
	s, home, tag := t.settings, t.settings.Regions[0], t.commitTag()
	digest, err := t.describe(ctx, home, "imageTag="+tag)
	if err != nil || digest != "" {
		if digest != "" {
			fmt.Fprintf(t.log, "%s is already in %s as %s: not building again\n", tag, home, digest)
		}
		return digest, err
	}
	if err := t.login(ctx, home); err != nil {
		return "", err
	}
	buildContext := filepath.Dir(s.Dockerfile)
	fmt.Fprintf(t.log, "building %s from %s\n", tag, s.Dockerfile)
	if _, err := t.run.run(ctx, "", "docker", "build", "--file", s.Dockerfile, "--tag", t.reference(home, tag), buildContext); err != nil {
		return "", fmt.Errorf("building %s: %w", s.Dockerfile, err)
	}
	if _, err := t.run.run(ctx, "", "docker", "push", t.reference(home, tag)); err != nil {
		return "", fmt.Errorf("pushing to %s: %w", home, err)
	}
	digest, err = t.describe(ctx, home, "imageTag="+tag)
	if err == nil && digest == "" {
		err = fmt.Errorf("pushed %s to %s, but the repository does not show it", tag, home)
	}
	return digest, err
}

// pushEverywhere copies the image to every other region's repository under the same tag; the
// manifest is the same, so the digest is too, which is checked.
func (t tool) pushEverywhere(ctx context.Context, digest string) error {
	home, tag := t.settings.Regions[0], t.commitTag()
	pulled := false
	for _, region := range t.settings.Regions[1:] {
		there, err := t.describe(ctx, region, "imageTag="+tag)
		if err != nil {
			return err
		}
		if there == "" {
			if !pulled {
				// The build cache may not have it (a repeated run): take it from the first region.
				if err := t.login(ctx, home); err != nil {
					return err
				}
				if _, err := t.run.run(ctx, "", "docker", "pull", t.reference(home, digest)); err != nil {
					return fmt.Errorf("pulling %s from %s: %w", digest, home, err)
				}
				pulled = true
			}
			if err := t.login(ctx, region); err != nil {
				return err
			}
			if _, err := t.run.run(ctx, "", "docker", "tag", t.reference(home, digest), t.reference(region, tag)); err != nil {
				return err
			}
			if _, err := t.run.run(ctx, "", "docker", "push", t.reference(region, tag)); err != nil {
				return fmt.Errorf("pushing to %s: %w", region, err)
			}
			if there, err = t.describe(ctx, region, "imageTag="+tag); err != nil {
				return err
			}
		}
		if there != digest {
			return fmt.Errorf("%s is %s in %s but %s in %s: the regions would run different images; delete the image in %s (aws ecr batch-delete-image --repository-name %s --image-ids imageTag=%s --region %s) and run the pipeline again",
				tag, digest, home, there, region, region, t.settings.Repository, tag, region)
		}
	}
	return nil
}

func (t tool) login(ctx context.Context, region string) error {
	password, err := t.run.run(ctx, "", "aws", "ecr", "get-login-password", "--region", region)
	if err != nil {
		return fmt.Errorf("logging in to %s's registry: %w", region, err)
	}
	if _, err := t.run.run(ctx, password, "docker", "login", "--username", "AWS", "--password-stdin", t.registry(region)); err != nil {
		return fmt.Errorf("logging in to %s: %w", t.registry(region), err)
	}
	return nil
}

// describe returns the digest of the image imageID names in region's repository, or "" when
// the repository has no such image.
func (t tool) describe(ctx context.Context, region, imageID string) (string, error) {
	out, err := t.run.run(ctx, "", "aws", "ecr", "describe-images", "--repository-name", t.settings.Repository,
		"--image-ids", imageID, "--region", region, "--output", "json")
	var missing *commandError
	if errors.As(err, &missing) && strings.Contains(missing.stderr, "ImageNotFoundException") {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s in %s: %w", t.settings.Repository, region, err)
	}
	var described struct {
		ImageDetails []struct{ ImageDigest string } `json:"imageDetails"`
	}
	if err := json.Unmarshal([]byte(out), &described); err != nil || len(described.ImageDetails) != 1 {
		return "", fmt.Errorf("reading %s in %s: unexpected answer %q", t.settings.Repository, region, out)
	}
	return described.ImageDetails[0].ImageDigest, nil
}

// scanTimeout bounds the wait for the scan on push. Basic scans finish in a minute or two; an
// image still unscanned after this is stuck, and the release waits for a person.
const scanTimeout = 15 * time.Minute

// scanPoll is how often the scan's status is read again.
const scanPoll = 10 * time.Second

// scanState is the part of describe-image-scan-findings the gate reads.
type scanState struct {
	Status      string         `json:"status"`
	Description string         `json:"description"`
	Counts      map[string]int `json:"counts"`
}

// scanGate waits for the scan on push of digest in region and fails when it found anything at
// or above the threshold. It polls the scan's status rather than `aws ecr wait
// image-scan-complete`, which gives up after 10 minutes and treats every status but COMPLETE
// as a failure: ECR reports UNSUPPORTED_IMAGE for images basic scanning cannot read (a
// distroless image with only a Go binary is one), and ACTIVE under enhanced scanning.
func (t tool) scanGate(ctx context.Context, region, digest string) error {
	s := t.settings
	id := "imageDigest=" + digest
	explain := fmt.Sprintf("aws ecr describe-image-scan-findings --repository-name %s --image-id %s --region %s", s.Repository, id, region)
	deadline := t.now().Add(scanTimeout)
	var state scanState
	for {
		out, err := t.run.run(ctx, "", "aws", "ecr", "describe-image-scan-findings", "--repository-name", s.Repository, "--image-id", id, "--region", region,
			"--query", "{status: imageScanStatus.status, description: imageScanStatus.description, counts: imageScanFindings.findingSeverityCounts}", "--output", "json")
		var failed *commandError
		switch {
		case errors.As(err, &failed) && strings.Contains(failed.stderr, "ScanNotFoundException"):
			state = scanState{Status: "PENDING"} // the scan on push has not started yet
		case err != nil:
			return fmt.Errorf("reading the scan of %s: %w", digest, err)
		default:
			state = scanState{}
			if err := json.Unmarshal([]byte(out), &state); err != nil {
				return fmt.Errorf("reading the scan of %s: unexpected answer %q", digest, out)
			}
		}
		if state.Status != "IN_PROGRESS" && state.Status != "PENDING" {
			break
		}
		if !t.now().Before(deadline) {
			return fmt.Errorf("the scan of %s is still %s after %s: no environment deploys an unscanned image. See why (%s), then retry the Image step",
				digest, state.Status, scanTimeout, explain)
		}
		if err := t.sleep(ctx, scanPoll); err != nil {
			return err
		}
	}
	switch state.Status {
	case "COMPLETE", "ACTIVE":
	case "UNSUPPORTED_IMAGE":
		fmt.Fprintf(t.log, "WARNING: basic scanning cannot read %s (%s), so its findings are unknown and the scan gate lets it through. "+
			"Turn on Amazon Inspector enhanced scanning for the registry to scan the binary's Go modules (docs/delivery.md, \"Scanning the image\").\n", digest, state.Description)
		return nil
	default:
		return fmt.Errorf("the scan of %s ended %s (%s): no environment deploys an unscanned image. See %s, then retry the Image step",
			digest, state.Status, state.Description, explain)
	}
	var blocking, summary []string
	for _, severity := range slices.Backward(severities) {
		if n := state.Counts[severity]; n > 0 {
			summary = append(summary, fmt.Sprintf("%d %s", n, severity))
			if atOrAbove(severity, s.ScanThreshold) {
				blocking = append(blocking, fmt.Sprintf("%d %s", n, severity))
			}
		}
	}
	if len(summary) == 0 {
		summary = []string{"nothing"}
	}
	fmt.Fprintf(t.log, "scan of %s found %s\n", digest, strings.Join(summary, ", "))
	if len(blocking) > 0 {
		return fmt.Errorf("the scan of %s found %s (service.scanThreshold is %s): no environment deploys it. Fix the image (%s lists them) and push a new commit",
			digest, strings.Join(blocking, " and "), s.ScanThreshold, explain)
	}
	return nil
}

// markDeployed tags the release in each region: deployed-<environment>-<UTC time>. A tag is
// added to the image's manifest, so the digest stays the same.
func (t tool) markDeployed(ctx context.Context) error {
	s := t.settings
	if s.Environment == "" || s.TagPrefix == "" {
		return fmt.Errorf("set IMAGE_ENVIRONMENT and IMAGE_TAG_PREFIX (the pipeline step sets them)")
	}
	data, err := os.ReadFile(s.Output)
	if err != nil {
		return fmt.Errorf("reading the release's digest: %w", err)
	}
	digest := strings.TrimSpace(string(data))
	tag := fmt.Sprintf("%s%s-%s", s.TagPrefix, s.Environment, t.now().UTC().Format("20060102150405"))
	for _, region := range s.Regions {
		out, err := t.run.run(ctx, "", "aws", "ecr", "batch-get-image", "--repository-name", s.Repository, "--image-ids", "imageDigest="+digest,
			"--region", region, "--output", "json")
		if err != nil {
			return fmt.Errorf("reading %s in %s: %w", digest, region, err)
		}
		var got struct {
			Images []struct{ ImageManifest, ImageManifestMediaType string } `json:"images"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Images) != 1 {
			return fmt.Errorf("%s is not in %s's repository %s", digest, region, s.Repository)
		}
		image := got.Images[0]
		if _, err := t.run.run(ctx, "", "aws", "ecr", "put-image", "--repository-name", s.Repository, "--image-tag", tag,
			"--image-manifest", image.ImageManifest, "--image-manifest-media-type", image.ImageManifestMediaType, "--region", region); err != nil {
			return fmt.Errorf("tagging %s as %s in %s: %w", digest, tag, region, err)
		}
	}
	fmt.Fprintf(t.log, "%s runs %s: tagged %s in %s\n", s.Environment, digest, tag, strings.Join(s.Regions, ", "))
	return nil
}
