// Command kube-check checks Kubernetes manifests with the upstream Kubernetes libraries, so
// that tests judge rendered objects the way a real API server would, without running one.
//
//	kube-check psa --level restricted --version v1.33 < manifests.yaml
//	kube-check crd --crds crds/,more.yaml            < manifests.yaml
//
// Both read a YAML stream (documents separated by ---) on stdin and write a JSON array on stdout.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: kube-check psa|crd [flags] < manifests.yaml"))
	}
	var (
		result any
		err    error
	)
	switch os.Args[1] {
	case "psa":
		result, err = runPodSecurity(os.Args[2:], os.Stdin)
	case "crd":
		result, err = runCRDValidation(os.Args[2:], os.Stdin)
	default:
		err = fmt.Errorf("unknown subcommand %q (want psa or crd)", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(result); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kube-check:", err)
	os.Exit(2)
}

// document is one non-empty manifest of a stream, as JSON and as the generic map the
// API server's unstructured decoding produces (integers as int64, not float64).
type document struct {
	json   []byte
	object map[string]any
}

func (d document) str(key string) string {
	s, _ := d.object[key].(string)
	return s
}

func (d document) meta(key string) string {
	m, _ := d.object["metadata"].(map[string]any)
	s, _ := m[key].(string)
	return s
}

// readDocuments splits a YAML stream into documents, skipping empty ones (helm emits many).
func readDocuments(in io.Reader) ([]document, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	var documents []document
	for index := 0; ; index++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return documents, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", index, err)
		}
		data, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", index, err)
		}
		var object map[string]any
		if err := utiljson.Unmarshal(data, &object); err != nil {
			return nil, fmt.Errorf("document %d is not an object: %w", index, err)
		}
		if len(object) > 0 {
			documents = append(documents, document{json: data, object: object})
		}
	}
}
