//go:build linux || darwin

package enrich

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// readDBFile copies a database file into anonymous memory outside the Go
// heap: a City database is tens of megabytes, and on the heap it would
// raise the garbage collector's target by several times that (GOGC=400).
func readDBFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size <= 0 || size > 1<<34 {
		return nil, nil, fmt.Errorf("unusable size %d bytes", size)
	}
	mem, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, fmt.Errorf("allocating %d bytes: %w", size, err)
	}
	free := func() { _ = syscall.Munmap(mem) }
	if _, err := io.ReadFull(f, mem); err != nil {
		free()
		return nil, nil, fmt.Errorf("reading: %w", err)
	}
	// read-only from here: a stray write is a fault, not a corrupt lookup
	_ = syscall.Mprotect(mem, syscall.PROT_READ)
	return mem, free, nil
}
