// Command monitoring-check validates Prometheus Operator objects (ServiceMonitor, PrometheusRule) the way the
// operator does: each object is decoded strictly into the operator's own Go types (an unknown or mistyped
// field is an error), and every rule group goes through Prometheus' rule-file parser (rulefmt), which is
// what the operator's admission webhook runs, so a PromQL syntax error or a bad template fails.
//
// Usage: monitoring-check FILE... (multi-document YAML, e.g. `kustomize build` output; "-" reads stdin).
// Objects of other kinds are ignored. Exit code 0 when every object is valid, 1 otherwise.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	sigsyaml "sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: monitoring-check FILE...")
		os.Exit(2)
	}
	failures, checked := 0, 0
	for _, name := range os.Args[1:] {
		data, err := read(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		for i, doc := range splitDocuments(data) {
			kind, objName, errs := check(doc)
			if kind == "" {
				continue
			}
			checked++
			for _, e := range errs {
				failures++
				fmt.Printf("INVALID %s %s/%s (document %d): %v\n", name, kind, objName, i+1, e)
			}
			if len(errs) == 0 {
				fmt.Printf("ok %s/%s\n", kind, objName)
			}
		}
	}
	fmt.Printf("monitoring-check: %d objects checked, %d errors\n", checked, failures)
	if failures > 0 {
		os.Exit(1)
	}
}

func read(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, part := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		if len(bytes.TrimSpace(part)) > 0 {
			docs = append(docs, part)
		}
	}
	return docs
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// check returns the kind ("" if not a monitoring object) and every problem found.
func check(doc []byte) (string, string, []error) {
	js, err := sigsyaml.YAMLToJSON(doc)
	if err != nil {
		return "?", "?", []error{fmt.Errorf("not YAML: %w", err)}
	}
	var h header
	if err := json.Unmarshal(js, &h); err != nil {
		return "?", "?", []error{err}
	}
	if !strings.HasPrefix(h.APIVersion, "monitoring.coreos.com/") {
		return "", "", nil
	}
	if h.APIVersion != "monitoring.coreos.com/v1" {
		return h.Kind, h.Metadata.Name, []error{fmt.Errorf("apiVersion %s: only monitoring.coreos.com/v1 is checked", h.APIVersion)}
	}
	switch h.Kind {
	case "ServiceMonitor":
		var sm monitoringv1.ServiceMonitor
		if err := strictDecode(js, &sm); err != nil {
			return h.Kind, h.Metadata.Name, []error{err}
		}
		var errs []error
		if len(sm.Spec.Endpoints) == 0 {
			errs = append(errs, fmt.Errorf("spec.endpoints: at least one endpoint is needed"))
		}
		for i, ep := range sm.Spec.Endpoints {
			if ep.Port == "" && ep.TargetPort == nil {
				errs = append(errs, fmt.Errorf("spec.endpoints[%d]: port or targetPort is required", i))
			}
		}
		return h.Kind, h.Metadata.Name, errs
	case "PrometheusRule":
		var pr monitoringv1.PrometheusRule
		if err := strictDecode(js, &pr); err != nil {
			return h.Kind, h.Metadata.Name, []error{err}
		}
		// The operator's admission webhook turns spec into a rule file and runs rulefmt on it.
		spec, err := json.Marshal(pr.Spec)
		if err != nil {
			return h.Kind, h.Metadata.Name, []error{err}
		}
		content, err := sigsyaml.JSONToYAML(spec)
		if err != nil {
			return h.Kind, h.Metadata.Name, []error{err}
		}
		logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
		_, errs := rulefmt.Parse(content, false, model.UTF8Validation, parser.NewParser(parser.Options{}), logger)
		return h.Kind, h.Metadata.Name, errs
	default:
		return h.Kind, h.Metadata.Name, []error{fmt.Errorf("kind %s is not checked by this tool", h.Kind)}
	}
}

func strictDecode(js []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("strict decode: %w", err)
	}
	return nil
}
