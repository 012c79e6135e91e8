//go:build !linux && !darwin

package enrich

import "os"

// readDBFile reads a database file onto the heap where anonymous mappings
// are not available.
func readDBFile(path string) ([]byte, func(), error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}
