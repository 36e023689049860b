// Package props checks a construct's props where the construct begins, and fails the way a CDK
// construct fails in Go (jsii reports a construct's errors as panics): with a panic whose message
// names the construct's path, the prop, and what to give instead.
//
//	network.New(Test/Network): Props.CIDR "10.0.0.0/33" is not an IPv4 range; give the VPC's range, such as 10.0.0.0/16
//
// Every construct in lib/ reports through it, so every message has that shape. The platform's
// own props come from lib/config, which has validated the user's file already: a failure here is
// a bug in the caller, caught before CDK turns it into an index panic or a deploy-time error.
package props

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
)

// Error is every problem found in one construct's props: the value a construct panics with.
type Error struct {
	// Constructor is the function that refused its props, such as network.New.
	Constructor string
	// Path is where the construct would have been: its scope's path and its ID.
	Path string
	// Problems each start with the prop they concern, such as `Props.CIDR "x" is not ...`.
	Problems []string
}

func (e *Error) Error() string {
	head := fmt.Sprintf("%s(%s): ", e.Constructor, e.Path)
	if len(e.Problems) == 1 {
		return head + e.Problems[0]
	}
	return head + fmt.Sprintf("%d problems:\n  ", len(e.Problems)) + strings.Join(e.Problems, "\n  ")
}

// Checker collects the problems of one construct's props. Report them with Done.
type Checker struct {
	err Error
}

// Check starts checking the props of the construct that constructor (such as "network.New")
// would create in scope with id. With an empty id it checks the arguments of a function that
// works on scope itself (such as compliance.Accept), and names scope's path.
func Check(scope constructs.IConstruct, id, constructor string) *Checker {
	c := &Checker{err: Error{Constructor: constructor, Path: id}}
	if scope == nil {
		c.Failf("scope", "is nil; pass the construct (usually a stack) to create %s in", constructor)
		return c
	}
	switch parent := *scope.Node().Path(); {
	case id == "":
		c.err.Path = parent
	case parent != "":
		c.err.Path = parent + "/" + id
	}
	return c
}

// Require reports field (written as the caller spells it, such as Props.Key) as missing unless
// present, with hint saying what to give. It returns present, so that a caller can skip the
// checks that need the value.
func (c *Checker) Require(field string, present bool, hint string) bool {
	if !present {
		c.err.Problems = append(c.err.Problems, fmt.Sprintf("%s is required; %s", field, hint))
	}
	return present
}

// Failf reports a problem with field's value: the message follows the field's name, e.g.
// Failf("Props.CIDR", "%q is not an IPv4 range; give ...", cidr).
func (c *Checker) Failf(field, format string, args ...any) {
	c.err.Problems = append(c.err.Problems, field+" "+fmt.Sprintf(format, args...))
}

// CIDR checks that field holds an IPv4 range without host bits set (10.0.0.0/16), reporting it
// as required when empty; hint says what range to give, such as "give the VPC's range, such as
// 10.0.0.0/16". It returns the range and whether it is one.
func (c *Checker) CIDR(field, value, hint string) (netip.Prefix, bool) {
	if !c.Require(field, value != "", hint) {
		return netip.Prefix{}, false
	}
	prefix, err := netip.ParsePrefix(value)
	switch {
	case err != nil || !prefix.Addr().Is4():
		c.Failf(field, "%q is not an IPv4 range; %s", value, hint)
	case prefix.Masked() != prefix:
		c.Failf(field, "%q has host bits set; did you mean %s?", value, prefix.Masked())
	default:
		return prefix, true
	}
	return netip.Prefix{}, false
}

// Done panics with an *Error listing every problem reported, if there is any.
func (c *Checker) Done() {
	if len(c.err.Problems) > 0 {
		err := c.err
		panic(&err)
	}
}

// RegionOnce requires field to name a region (hint says which, such as "give the region code,
// such as us-east-1") that its list has not named before: a list's region names its constructs.
// listed holds the regions of the list so far and records this one; what is what the list calls
// a region in the message, such as "peer region".
func (c *Checker) RegionOnce(field, region, hint, what string, listed map[string]bool) {
	if c.Require(field, region != "", hint) && listed[region] {
		c.Failf(field, "%s is listed twice; list each %s once", region, what)
	}
	listed[region] = true
}
