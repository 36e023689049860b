package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// settings are what the pipeline step passes in its environment.
type settings struct {
	Account    string   // IMAGE_ACCOUNT: the tooling account, whose registries hold the repositories
	Repository string   // IMAGE_REPOSITORY: the service's repository name, the same in every region
	Regions    []string // IMAGE_REGIONS: comma-separated; the first is where the scan is read
	Output     string   // IMAGE_OUTPUT: the file the digest is written to (publish) or read from
	// publish
	Dockerfile    string // IMAGE_DOCKERFILE: relative to the repository root; its directory is the context
	ScanThreshold string // IMAGE_SCAN_THRESHOLD: LOW, MEDIUM, HIGH or CRITICAL
	ReleaseDigest string // IMAGE_RELEASE_DIGEST: a pinned release to check instead of building
	Commit        string // CODEBUILD_RESOLVED_SOURCE_VERSION: the commit being built
	// mark-deployed
	Environment string // IMAGE_ENVIRONMENT
	TagPrefix   string // IMAGE_TAG_PREFIX: deployed-
}

var severities = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

var commitPattern = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

func readSettings(lookup func(string) (string, bool)) (settings, error) {
	get := func(name string) string { v, _ := lookup(name); return strings.TrimSpace(v) }
	s := settings{
		Account: get("IMAGE_ACCOUNT"), Repository: get("IMAGE_REPOSITORY"), Output: get("IMAGE_OUTPUT"),
		Dockerfile: get("IMAGE_DOCKERFILE"), ScanThreshold: get("IMAGE_SCAN_THRESHOLD"), ReleaseDigest: get("IMAGE_RELEASE_DIGEST"),
		Commit: get("CODEBUILD_RESOLVED_SOURCE_VERSION"), Environment: get("IMAGE_ENVIRONMENT"), TagPrefix: get("IMAGE_TAG_PREFIX"),
	}
	if regions := get("IMAGE_REGIONS"); regions != "" {
		s.Regions = strings.Split(regions, ",")
	}
	var missing []string
	for name, value := range map[string]string{"IMAGE_ACCOUNT": s.Account, "IMAGE_REPOSITORY": s.Repository, "IMAGE_OUTPUT": s.Output} {
		if value == "" {
			missing = append(missing, name)
		}
	}
	if len(s.Regions) == 0 {
		missing = append(missing, "IMAGE_REGIONS")
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return s, fmt.Errorf("set %s (the pipeline step sets them)", strings.Join(missing, ", "))
	}
	return s, nil
}

// checkPublish checks what publish needs beyond the common settings.
func (s settings) checkPublish() error {
	if s.ScanThreshold != "" && !slices.Contains(severities, s.ScanThreshold) {
		return fmt.Errorf("IMAGE_SCAN_THRESHOLD %q is not a severity; use LOW, MEDIUM, HIGH or CRITICAL", s.ScanThreshold)
	}
	if s.ReleaseDigest == "" {
		if s.Dockerfile == "" {
			return fmt.Errorf("set IMAGE_DOCKERFILE, or IMAGE_RELEASE_DIGEST to deploy a pinned release")
		}
		if !commitPattern.MatchString(s.Commit) {
			return fmt.Errorf("CODEBUILD_RESOLVED_SOURCE_VERSION %q is not a commit: the image is tagged with the commit it is built from", s.Commit)
		}
	}
	return nil
}

// atOrAbove reports whether severity is at or above threshold.
func atOrAbove(severity, threshold string) bool {
	return slices.Index(severities, severity) >= slices.Index(severities, threshold)
}
