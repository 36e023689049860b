package props_test

import (
	"fmt"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
	"github.com/example/platform/lib/props/propstest"
)

func stack() constructs.Construct {
	return constructs.NewConstruct(constructs.NewRootConstruct(jsii.String("")), jsii.String("Test"))
}

func TestCheck_NamesTheConstructorThePathThePropAndWhatToGive(t *testing.T) {
	message := propstest.Panics(t, func() {
		c := props.Check(stack(), "Network", "network.New")
		c.CIDR("Props.CIDR", "10.0.0.0/33", "give the VPC's range, such as 10.0.0.0/16")
		c.Done()
	})
	want := `network.New(Test/Network): Props.CIDR "10.0.0.0/33" is not an IPv4 range; give the VPC's range, such as 10.0.0.0/16`
	if message != want {
		t.Errorf("message:\n%s\nwant:\n%s", message, want)
	}
}

func TestCheck_ListsEveryProblem(t *testing.T) {
	message := propstest.Panics(t, func() {
		c := props.Check(stack(), "Thing", "thing.New")
		c.Require("Props.Name", false, "give a name")
		c.Failf("Props.Size", "%d: give 1 to 3", 4)
		c.Done()
	})
	want := "thing.New(Test/Thing): 2 problems:\n  Props.Name is required; give a name\n  Props.Size 4: give 1 to 3"
	if message != want {
		t.Errorf("message:\n%s\nwant:\n%s", message, want)
	}
}

func TestCheck_PassesGoodPropsAndRefusesANilScope(t *testing.T) {
	c := props.Check(stack(), "Network", "network.New")
	if prefix, ok := c.CIDR("Props.CIDR", "10.1.0.0/16", "give a range"); !ok || prefix.Bits() != 16 {
		t.Errorf("10.1.0.0/16: got %v, %v", prefix, ok)
	}
	c.Done() // no problem: no panic
	propstest.Panics(t, func() { props.Check(nil, "Network", "network.New").Done() }, "network.New(Network): scope is nil")
}

func TestRegionOnce_RefusesARegionListedTwiceOrNotAtAll(t *testing.T) {
	message := propstest.Panics(t, func() {
		c := props.Check(stack(), "Edge", "edge.New")
		listed := map[string]bool{}
		for i, region := range []string{"eu-west-1", "", "us-east-1", "eu-west-1"} {
			c.RegionOnce(fmt.Sprintf("Props.Regions[%d].Name", i), region, "give the region code, such as us-east-1", "region", listed)
		}
		c.Done()
	})
	want := "edge.New(Test/Edge): 2 problems:\n  Props.Regions[1].Name is required; give the region code, such as us-east-1\n" +
		"  Props.Regions[3].Name eu-west-1 is listed twice; list each region once"
	if message != want {
		t.Errorf("message:\n%s\nwant:\n%s", message, want)
	}
}
