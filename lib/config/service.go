package config

import (
	"regexp"
	"slices"
	"strings"
)

var (
	serviceNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	imagePattern       = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$`)
	digestPattern      = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	dockerfilePattern  = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)
	healthPathPattern  = regexp.MustCompile(`^/[A-Za-z0-9/_.~%-]*$`)
	principalPattern   = regexp.MustCompile(`^(\d{12}|arn:aws:iam::\d{12}:(root|(role|user)/[\w+=,.@/-]{1,512}))$`)
)

func validateService(s Service, found *problems) {
	checkPattern(found, "service.name", s.Name, serviceNamePattern, "2-32 lowercase letters, digits and hyphens, such as api")
	checkPattern(found, "service.bootstrapImage", s.BootstrapImage, imagePattern,
		"a public image with a registry host and a pinned tag or digest, such as public.ecr.aws/nginx/nginx-unprivileged:stable-alpine")
	if !dockerfilePattern.MatchString(s.Dockerfile) || strings.HasPrefix(s.Dockerfile, "/") || slices.Contains(strings.Split(s.Dockerfile, "/"), "..") {
		found.addf("service.dockerfile", "%s is not valid; want a path inside the repository such as api/Dockerfile", found.quoted("service.dockerfile", s.Dockerfile))
	}
	if !slices.Contains(ScanSeverities, s.ScanThreshold) {
		found.addf("service.scanThreshold", "%s is not a severity; use %s", found.quoted("service.scanThreshold", s.ScanThreshold), strings.Join(ScanSeverities, ", "))
	}
	if s.ReleaseDigest != "" {
		checkDigest(found, "service.releaseDigest", s.ReleaseDigest)
	}
	if s.KeepDeployedImages < 1 || s.KeepDeployedImages > 1000 {
		found.addf("service.keepDeployedImages", "%s: must be 1 to 1000", found.value("service.keepDeployedImages", s.KeepDeployedImages))
	}
	if s.ContainerPort < 1 || s.ContainerPort > 65535 {
		found.addf("service.containerPort", "%s: must be a TCP port, 1 to 65535", found.value("service.containerPort", s.ContainerPort))
	}
	checkPattern(found, "service.healthCheckPath", s.HealthCheckPath, healthPathPattern, "a URL path such as /health")
	if s.RegionCheckPath != "" {
		checkPattern(found, "service.regionCheckPath", s.RegionCheckPath, healthPathPattern, "a URL path such as /ready/region, or nothing")
	}
}

func checkDigest(found *problems, path, digest string) {
	checkPattern(found, path, digest, digestPattern, "an image digest: sha256: and 64 lowercase hex digits, as `aws ecr describe-images` shows it")
}
