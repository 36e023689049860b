package constructs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/service"
	"github.com/example/platform/test/constructkit"
)

// Control Tower's CT.ECS.PR.3 and CT.ECS.PR.7: every container runs as a user that is not root
// and has a hard memory limit, and the limits together fit the task.
func TestService_EveryContainerRunsAsANonRootUserWithinAHardMemoryLimit(t *testing.T) {
	template := serviceSynth(t, nil)
	var tasks *map[string]*map[string]any
	constructkit.Assert(t, func() { tasks = template.FindResources(jsii.String("AWS::ECS::TaskDefinition"), nil) })
	containers := 0
	for _, task := range *tasks {
		props := (*task)["Properties"].(map[string]any)
		taskMemory := props["Memory"].(string)
		reserved := 0.0
		for _, c := range props["ContainerDefinitions"].([]any) {
			def := c.(map[string]any)
			containers++
			user, _ := def["User"].(string)
			if user == "" || user == "0" || user == "root" || strings.HasPrefix(user, "0:") || strings.HasPrefix(user, "root:") {
				t.Errorf("container %v runs as %q: give it a non-root user", def["Name"], user)
			}
			memory, ok := def["Memory"].(float64)
			if !ok || memory < 4 {
				t.Errorf("container %v has no hard memory limit (Memory %v)", def["Name"], def["Memory"])
			}
			if r, ok := def["MemoryReservation"].(float64); ok {
				reserved += r
			} else {
				reserved += memory
			}
		}
		if reserved >= 1024 || taskMemory != "1024" {
			t.Errorf("the containers reserve %v MiB of the task's %s", reserved, taskMemory)
		}
	}
	constructkit.CheckedSomething(t, containers, "container")
}

// The application container's user is the one the shipped image is built to run as.
func TestService_AppUserIsTheShippedImagesUser(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "api", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nUSER "+service.AppUser+"\n") {
		t.Errorf("api/Dockerfile does not run as USER %s, the user the task definition gives the container", service.AppUser)
	}
}
