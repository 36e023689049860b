package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/probes"
	"github.com/example/platform/lib/props/propstest"
)

func TestProbe_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*probes.Props)
		want   string
	}{
		{"no name", func(p *probes.Props) { p.Name = "" }, "probes.New(Test/Canary): Props.Name is required"},
		{"name too long", func(p *probes.Props) { p.Name = "acme-production-1a2b3c" },
			`Props.Name "acme-production-1a2b3c": give 1 to 21 of a-z, 0-9, - and _`},
		{"name with capitals", func(p *probes.Props) { p.Name = "Acme-prod" }, `Props.Name "Acme-prod": give 1 to 21`},
		{"no checks", func(p *probes.Props) { p.Checks = nil }, "Props.Checks is required"},
		{"step twice", func(p *probes.Props) { p.Checks[1].Name = "site" }, `Props.Checks[1].Name "site" is used twice`},
		{"bad step name", func(p *probes.Props) { p.Checks[0].Name = "Site" }, `Props.Checks[0].Name "Site": give lowercase words joined by hyphens`},
		{"parameter without slash", func(p *probes.Props) { p.Checks[0].Address.Parameter = "site-url" },
			`Props.Checks[0].Address.Parameter "site-url": give the SSM parameter's name, starting with /`},
		{"no parameter region", func(p *probes.Props) { p.Checks[1].Address.Region = "" }, "Props.Checks[1].Address.Region is required"},
		{"known without scheme", func(p *probes.Props) { p.Checks[0].Address.Known = "example.com" }, `Props.Checks[0].Address.Known "example.com": give a base URL`},
		{"relative path", func(p *probes.Props) { p.Checks[2].Path = "health" }, `Props.Checks[2].Path "health": give a path starting with /`},
		{"URL and parameter", func(p *probes.Props) { p.Checks[0].Address.URL = jsii.String("http://lb") },
			"Props.Checks[0].Address give either URL, or Parameter and Region (and Known), not both"},
		{"URL without scheme", func(p *probes.Props) { p.Checks[1].Address = probes.Address{URL: jsii.String("lb.example")} },
			`Props.Checks[1].Address.URL "lb.example": give a base URL`},
		{"host name with a parameter", func(p *probes.Props) { p.Checks[1].Address.HostName = "api.example.com" },
			"Props.Checks[1].Address.HostName only a check with a URL presents a host name"},
		{"no key", func(p *probes.Props) { p.Key = nil }, "Props.Key is required"},
		{"no interval", func(p *probes.Props) { p.Every = nil }, "Props.Every is required"},
		{"interval in seconds", func(p *probes.Props) { p.Every = awscdk.Duration_Seconds(jsii.Number(90)) }, "Props.Every 1.5 minutes: give whole minutes, 1 to 60"},
		{"interval over an hour", func(p *probes.Props) { p.Every = awscdk.Duration_Hours(jsii.Number(2)) }, "Props.Every 120 minutes"},
		{"retention beyond Synthetics'", func(p *probes.Props) { p.RetentionDays = 500 }, "Props.RetentionDays 500: give whole days, 1 to 455"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
				Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
			})
			p := probesValidProps(stack)
			c.adjust(&p)
			propstest.Panics(t, func() { probes.New(stack, "Canary", p) }, c.want)
		})
	}
}

func TestPublishAddress_ThrowsOnABadName(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	propstest.Panics(t, func() { probes.PublishAddress(stack, "Site", "site-url", jsii.String("https://example.com")) },
		`probes.PublishAddress(Test/Site): name "site-url": give a name starting with /`)
	propstest.Panics(t, func() { probes.PublishAddress(stack, "Site", "/a/b", nil) }, "url is required")
}
