package config

import (
	"fmt"
	"regexp"
	"strings"
)

// HealthPathPrefix starts the CloudFront paths that reach one region's health check
// (<prefix><region>), for Route 53 health checks and the pipeline's smoke test.
const HealthPathPrefix = "/.platform/health/"

// staticPathPattern is a CloudFront path pattern: the characters CloudFront accepts.
var staticPathPattern = regexp.MustCompile(`^/[A-Za-z0-9_.*$/~"'@:+&-]{1,254}$`)

// MaxCacheBehaviorQuota bounds edge.cacheBehaviorQuota: far above what CloudFront grants on
// request, it only catches a typo.
const MaxCacheBehaviorQuota = 1000

func validateEdge(path string, e Edge, regionCount int, found *problems) {
	switch e.PriceClass {
	case PriceClass100, PriceClass200, PriceClassAll:
	default:
		found.addf(path+".priceClass", "%s is not a price class; use %s, %s or %s", found.quoted(path+".priceClass", e.PriceClass), PriceClass100, PriceClass200, PriceClassAll)
	}
	// WAF's rate-based rules accept 10 and up; below 100 per 5 minutes a browser loading
	// one page with its assets would be blocked.
	if e.RateLimit < 100 || e.RateLimit > 2000000000 {
		found.addf(path+".rateLimit", "%s: must be 100 to 2000000000 requests per client IP in 5 minutes", found.value(path+".rateLimit", e.RateLimit))
	}
	seen := map[string]bool{}
	for i, pattern := range e.StaticPaths {
		itemPath := fmt.Sprintf("%s.staticPaths[%d]", path, i)
		switch {
		case !staticPathPattern.MatchString(pattern) || pattern == "/*":
			found.addf(itemPath, "%q is not a path pattern for cached content; write one such as /static/* (not /*, which is every request)", pattern)
		case strings.HasPrefix(pattern, HealthPathPrefix):
			found.addf(itemPath, "%q: paths under %s are the platform's own health routes and are never cached", pattern, HealthPathPrefix)
		case seen[pattern]:
			found.addf(itemPath, "%q is listed twice", pattern)
		}
		seen[pattern] = true
	}
	validateCacheBehaviors(path, e, regionCount, found)
	intervalPath, thresholdPath := path+".accelerator.healthCheckIntervalSeconds", path+".accelerator.healthCheckThreshold"
	if a := e.Accelerator; a.HealthCheckIntervalSeconds != 10 && a.HealthCheckIntervalSeconds != 30 {
		found.addf(intervalPath, "%s: Global Accelerator checks every 10 or 30 seconds", found.value(intervalPath, a.HealthCheckIntervalSeconds))
	}
	if t := e.Accelerator.HealthCheckThreshold; t < 1 || t > 10 {
		found.addf(thresholdPath, "%s: must be 1 to 10", found.value(thresholdPath, t))
	}
}

// validateCacheBehaviors checks that the distribution's behaviors fit the quota: lib/edge makes
// one per static path and one per region for the region's health path (the default behavior is
// not counted), and CloudFront refuses the distribution at deploy time when they do not fit.
func validateCacheBehaviors(path string, e Edge, regionCount int, found *problems) {
	quotaPath := path + ".cacheBehaviorQuota"
	if e.CacheBehaviorQuota < 1 || e.CacheBehaviorQuota > MaxCacheBehaviorQuota {
		found.addf(quotaPath, "%s: must be 1 to %d cache behaviors per distribution (CloudFront's default quota is %d)",
			found.value(quotaPath, e.CacheBehaviorQuota), MaxCacheBehaviorQuota, DefaultCacheBehaviorQuota)
		return
	}
	if behaviors := len(e.StaticPaths) + regionCount; behaviors > e.CacheBehaviorQuota {
		found.addf(path+".staticPaths", "%d static paths and %d health paths (one per region) make %d cache behaviors, and the quota is %s per distribution: "+
			"list at most %d static paths (a pattern such as /assets/* covers many), or raise the quota in Service Quotas and set %s",
			len(e.StaticPaths), regionCount, behaviors, found.value(quotaPath, e.CacheBehaviorQuota), max(e.CacheBehaviorQuota-regionCount, 0), quotaPath)
	}
}
