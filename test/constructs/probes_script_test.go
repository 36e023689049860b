package constructs_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/lib/probes"
)

// The canary's script, run with Node against a local server, with stand-ins for the AWS SDK's
// SSM client (answers from FAKE_SSM) and for the Synthetics library (prints each step).
const fakeSSM = `
class GetParameterCommand { constructor(input) { this.input = input; } }
class SSMClient {
  constructor(config) { this.region = config.region; }
  async send(command) {
    const answer = JSON.parse(process.env.FAKE_SSM)[this.region + ' ' + command.input.Name];
    if (!answer) { const e = new Error('not found'); e.name = 'ParameterNotFound'; throw e; }
    if (answer.error) { const e = new Error('SSM failed'); e.name = answer.error; throw e; }
    return { Parameter: { Value: answer.value } };
  }
}
module.exports = { SSMClient, GetParameterCommand };
`

const fakeSynthetics = `
module.exports = { executeStep: async (name, step) => { console.log('STEP ' + name); return step(); } };
`

const runner = `
require('./index.js').handler().then(
  result => { console.log('PASSED ' + result); },
  error => { console.log('FAILED ' + error.message); process.exitCode = 1; });
`

type run struct {
	passed bool
	output string
	steps  []string
}

func runScript(t *testing.T, ssm map[string]map[string]string, checks []map[string]string) run {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run the canary's script (and by CDK itself): %v", err)
	}
	dir := t.TempDir()
	for path, content := range map[string]string{
		"index.js": probes.Script(), "run.js": runner,
		"node_modules/@aws-sdk/client-ssm/index.js": fakeSSM, "node_modules/Synthetics/index.js": fakeSynthetics,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ssmJSON, _ := json.Marshal(ssm)
	checksJSON, _ := json.Marshal(checks)
	cmd := exec.Command(node, "run.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAKE_SSM="+string(ssmJSON), probes.ChecksVariable+"="+string(checksJSON), probes.TimeoutVariable+"=1000")
	out, err := cmd.CombinedOutput()
	r := run{passed: err == nil, output: string(out)}
	for _, line := range strings.Split(r.output, "\n") {
		if step, ok := strings.CutPrefix(line, "STEP "); ok {
			r.steps = append(r.steps, step)
		}
	}
	if r.passed != strings.Contains(r.output, "PASSED ") {
		t.Fatalf("node exited %v but printed:\n%s", err, r.output)
	}
	return r
}

// server answers / and /health, and each region's health route with its status.
func server(t *testing.T, health map[string]int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/" || r.URL.Path == "/health":
			w.WriteHeader(http.StatusOK)
		case strings.HasPrefix(r.URL.Path, "/.platform/health/"):
			status := health[strings.TrimPrefix(r.URL.Path, "/.platform/health/")]
			if status == 0 {
				<-r.Context().Done() // hangs until the script gives up (its request timeout)
				return
			}
			w.WriteHeader(status)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func checks(regions ...string) []map[string]string {
	out := []map[string]string{
		{"name": "site", "parameter": "/acme/prod/probes/site-url", "region": "us-east-1", "path": "/"},
		{"name": "api", "parameter": "/acme/prod/probes/api-url", "region": "us-west-2", "path": "/health"},
	}
	for _, r := range regions {
		out = append(out, map[string]string{"name": "health-" + r, "parameter": "/acme/prod/probes/site-url", "region": "us-east-1", "path": "/.platform/health/" + r})
	}
	return out
}

func deployed(url string) map[string]map[string]string {
	return map[string]map[string]string{
		"us-east-1 /acme/prod/probes/site-url": {"value": url},
		"us-west-2 /acme/prod/probes/api-url":  {"value": url + "/"},
	}
}

func TestScript_PassesWhenEveryAddressAnswers(t *testing.T) {
	url := server(t, map[string]int{"us-east-1": 200, "eu-west-1": 200})
	r := runScript(t, deployed(url), checks("us-east-1", "eu-west-1"))
	if !r.passed || strings.Join(r.steps, ",") != "site,api,health-us-east-1,health-eu-west-1" {
		t.Errorf("passed %v, steps %v; want every check run and passed:\n%s", r.passed, r.steps, r.output)
	}
}

// A region whose health route fails (or hangs past the timeout) fails the run, naming it, and
// every other check still runs.
func TestScript_FailsNamingEachFailingRegionAfterRunningEveryCheck(t *testing.T) {
	url := server(t, map[string]int{"us-east-1": 503, "ap-southeast-2": 200})
	r := runScript(t, deployed(url), checks("us-east-1", "eu-west-1", "ap-southeast-2"))
	if r.passed {
		t.Fatalf("passed with a region answering 503:\n%s", r.output)
	}
	for _, want := range []string{"2 of 5 checks failed", "health-us-east-1: " + url + "/.platform/health/us-east-1 answered 503", "health-eu-west-1: "} {
		if !strings.Contains(r.output, want) {
			t.Errorf("output lacks %q:\n%s", want, r.output)
		}
	}
	if len(r.steps) != 5 {
		t.Errorf("steps %v: every check must run", r.steps)
	}
}

// A canary that reads parameters deploys after the stacks that write them, so a parameter that
// does not exist (its stack deleted, or failed) fails its check, naming it, while the checks
// whose addresses exist still run: a canary never passes without calling what it watches.
func TestScript_FailsACheckWhoseAddressIsNotPublished(t *testing.T) {
	r := runScript(t, map[string]map[string]string{}, checks("us-east-1"))
	if r.passed || len(r.steps) != 0 || !strings.Contains(r.output, "site: /acme/prod/probes/site-url does not exist in us-east-1") {
		t.Errorf("passed %v, steps %v; want a failure naming the missing parameter:\n%s", r.passed, r.steps, r.output)
	}
	url := server(t, map[string]int{"us-east-1": 200})
	onlyAPI := map[string]map[string]string{"us-west-2 /acme/prod/probes/api-url": {"value": url}}
	r = runScript(t, onlyAPI, checks("us-east-1"))
	if r.passed || strings.Join(r.steps, ",") != "api" || !strings.Contains(r.output, "2 of 3 checks failed") {
		t.Errorf("with only the accelerator deployed: passed %v, steps %v; want the API called and the two site checks failed:\n%s", r.passed, r.steps, r.output)
	}
}

// A check given its URL (a load balancer of the canary's own stack) reads no parameter and calls
// it, presenting the host name it is given (the name the load balancer's certificate carries).
func TestScript_CallsAGivenURLAsTheHostItNames(t *testing.T) {
	hosts := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts <- r.Host
		if r.URL.Path != "/health" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	given := []map[string]string{{"name": "api", "url": srv.URL, "host": "api.example.com", "path": "/health"}}
	r := runScript(t, map[string]map[string]string{}, given)
	if !r.passed || strings.Join(r.steps, ",") != "api" {
		t.Fatalf("passed %v, steps %v; want the given URL called without SSM:\n%s", r.passed, r.steps, r.output)
	}
	if host := <-hosts; host != "api.example.com" {
		t.Errorf("the load balancer was asked for %q, want api.example.com", host)
	}
	given[0]["path"] = "/missing"
	if r := runScript(t, map[string]map[string]string{}, given); r.passed || !strings.Contains(r.output, "answered 404") {
		t.Errorf("a 404 passed:\n%s", r.output)
	}
}

// SSM failing in the edge's region: a check that knows its address (a domain) calls it; one
// that does not fails, saying why.
func TestScript_FallsBackToTheKnownAddressWhenSSMFails(t *testing.T) {
	url := server(t, map[string]int{"us-east-1": 200})
	ssm := deployed(url)
	ssm["us-east-1 /acme/prod/probes/site-url"] = map[string]string{"error": "InternalServerError"}
	withDomain := checks("us-east-1")
	withDomain[0]["known"], withDomain[2]["known"] = url, url
	if r := runScript(t, ssm, withDomain); !r.passed || len(r.steps) != 3 {
		t.Errorf("with a known address: passed %v, steps %v; want all three called through it:\n%s", r.passed, r.steps, r.output)
	}
	r := runScript(t, ssm, checks("us-east-1"))
	if r.passed || !strings.Contains(r.output, "site: cannot read /acme/prod/probes/site-url in us-east-1: InternalServerError") {
		t.Errorf("without a known address: passed %v; want a failure naming the parameter:\n%s", r.passed, r.output)
	}
}
