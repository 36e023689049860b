// Command image publishes the service's release for the pipeline, once per commit, with the
// docker and aws CLIs of the build image:
//
//	image publish        build the image (or take the pinned release), push it to the service's
//	                     repository in every region, stop on scan findings at or above the
//	                     threshold, and write the digest for the synth step
//	image mark-deployed  tag the release an environment now runs, in each of its regions, so
//	                     the repositories keep it for rollbacks
//
// It reads its settings from the environment the pipeline step sets (see settings below).
package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: image publish | image mark-deployed")
		os.Exit(2)
	}
	s, err := readSettings(os.LookupEnv)
	if err == nil {
		t := tool{run: execRunner{}, settings: s, log: os.Stdout, now: time.Now, sleep: sleepFor}
		switch os.Args[1] {
		case "publish":
			err = t.publish(context.Background())
		case "mark-deployed":
			err = t.markDeployed(context.Background())
		default:
			err = fmt.Errorf("unknown command %q: use publish or mark-deployed", os.Args[1])
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}
