// Command hello is the cluster smoke test's workload: a static binary with no base image, so a pod can run from a
// locally made image (scripts/cluster.sh smoke). It prints a few lines (for `kubectl logs`) and exits 0.
package main

import (
	"fmt"
	"os"
)

func main() {
	host, _ := os.Hostname()
	fmt.Printf("hello from %s\n", host)
	for _, k := range []string{"KUBERNETES_SERVICE_HOST", "POD_NAME"} {
		fmt.Printf("%s=%s\n", k, os.Getenv(k))
	}
}
