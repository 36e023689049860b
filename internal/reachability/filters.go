package reachability

import (
	"fmt"
)

func groupReason(s status, who, preposition, peer, port, rule string) string {
	switch s {
	case fail:
		return fmt.Sprintf("%s has no rule %s %s on %s", who, preposition, peer, port)
	case partial:
		return fmt.Sprintf("%s admits only part of %s on %s (%s)", who, peer, port, rule)
	}
	return ""
}

// allows is how much of peer a group's rules admit (ingress) or reach (egress) on a port, and
// the best rule.
func (m *Model) allows(g *group, egress bool, peer addrs, protocol string, port int) (status, string) {
	rules := g.ingress
	if egress {
		rules = g.egress
	}
	best, where := fail, ""
	for _, r := range rules {
		if r.ipv6 || (r.protocol != "-1" && (r.protocol != protocol || port < r.from || port > r.to)) {
			continue
		}
		s := fail
		switch {
		case r.peerGroup != "":
			if r.peerGroup == peer.group {
				s = pass
			}
		case r.prefixes != "":
			// A managed prefix list holds the addresses of AWS services; no other client sends
			// from them.
			if r.prefixes == peer.prefixList {
				s = pass
			}
		default:
			s = peer.within(r.cidr)
		}
		if s > best {
			best, where = s, fmt.Sprintf("%s: %s", r.where, r.cidr)
		}
		if best == pass {
			break
		}
	}
	return best, where
}

// naclAllows decides a network ACL for every port of lo-hi and every address of peer: entries in
// rule-number order, the first that matches decides, and what none matches is denied.
func (m *Model) naclAllows(acl *nacl, egress bool, peer addrs, protocol string, lo, hi int) (status, string) {
	remaining := [][2]int{{lo, hi}}
	allowed, denied, reason := false, false, ""
	for _, e := range acl.entries {
		if e.egress != egress || (e.protocol != "-1" && e.protocol != protocol) {
			continue
		}
		covered := peer.within(e.cidr)
		if covered == fail || !overlapsAny(remaining, e.from, e.to) {
			continue
		}
		if e.allow {
			allowed = true
		} else {
			denied = true
			if reason == "" {
				reason = fmt.Sprintf("entry %d (%s) denies %s", e.number, e.where, e.cidr)
			}
		}
		if covered == pass {
			remaining = subtract(remaining, e.from, e.to)
		}
	}
	if len(remaining) > 0 {
		denied = true
		if reason == "" {
			reason = fmt.Sprintf("no entry allows ports %v, so the final * entry denies them", remaining)
		}
	}
	switch {
	case !denied:
		return pass, ""
	case !allowed:
		return fail, reason
	}
	return partial, reason
}

func overlapsAny(ranges [][2]int, lo, hi int) bool {
	for _, r := range ranges {
		if r[0] <= hi && lo <= r[1] {
			return true
		}
	}
	return false
}

func subtract(ranges [][2]int, lo, hi int) [][2]int {
	var out [][2]int
	for _, r := range ranges {
		if r[1] < lo || r[0] > hi {
			out = append(out, r)
			continue
		}
		if r[0] < lo {
			out = append(out, [2]int{r[0], lo - 1})
		}
		if r[1] > hi {
			out = append(out, [2]int{hi + 1, r[1]})
		}
	}
	return out
}
