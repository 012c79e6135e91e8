// Command out_siem is the Fluent Bit output plugin "siem", built with
// -buildmode=c-shared into out_siem.so and loaded with `fluent-bit -e`.
// This file only adapts Fluent Bit's Go proxy to plugin/output: each
// [OUTPUT] section gets its own output.Output, found again from the
// context pointer Fluent Bit hands to every flush.
package main

import (
	"C"
	"context"
	"fmt"
	"os"
	"sync"
	"time"
	"unsafe"

	"github.com/fluent/fluent-bit-go/output"

	siem "github.com/siemloader/siemloader/plugin/output"
)

// The flush codes of plugin/output are Fluent Bit's own values.
var _ = [1]struct{}{}[int(siem.OK)-output.FLB_OK]
var _ = [1]struct{}{}[int(siem.Retry)-output.FLB_RETRY]
var _ = [1]struct{}{}[int(siem.Error)-output.FLB_ERROR]

// instances are every Output made, so that FLBPluginExit can close those
// Fluent Bit did not close one by one.
var (
	mu        sync.Mutex
	instances = map[*siem.Output]bool{}
)

// pluginConfig reads the [OUTPUT] section's keys through the proxy.
type pluginConfig struct{ plugin unsafe.Pointer }

func (c pluginConfig) Get(key string) string { return output.FLBPluginConfigKey(c.plugin, key) }

//export FLBPluginRegister
func FLBPluginRegister(def unsafe.Pointer) int {
	siem.TuneGC()
	return output.FLBPluginRegister(def, "siem", "AWS security logs normalized like es-loader, shipped to OpenSearch")
}

//export FLBPluginInit
func FLBPluginInit(plugin unsafe.Pointer) int {
	cfg, err := siem.LoadConfig(pluginConfig{plugin})
	if err != nil {
		fmt.Fprintf(os.Stderr, "[error] [output:siem] invalid configuration:\n%v\n", err)
		return output.FLB_ERROR
	}
	o, err := siem.New(context.Background(), cfg, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "[error] [output:siem] %v\n", err)
		return output.FLB_ERROR
	}
	mu.Lock()
	instances[o] = true
	mu.Unlock()
	output.FLBPluginSetContext(plugin, o)
	return output.FLB_OK
}

//export FLBPluginFlush
func FLBPluginFlush(data unsafe.Pointer, length C.int, tag *C.char) int {
	// Fluent Bit calls FlushCtx when the plugin exports it.
	return output.FLB_ERROR
}

//export FLBPluginFlushCtx
func FLBPluginFlushCtx(ctx, data unsafe.Pointer, length C.int, tag *C.char) int {
	o, ok := output.FLBPluginGetContext(ctx).(*siem.Output)
	if !ok {
		return output.FLB_ERROR
	}
	// A copy in Go memory: the normalizer's caches may keep strings that
	// point into the chunk, and Fluent Bit frees it after the call.
	chunk := C.GoBytes(data, length)
	return int(o.Flush(context.Background(), C.GoString(tag), chunk))
}

//export FLBPluginExitCtx
func FLBPluginExitCtx(ctx unsafe.Pointer) int {
	o, ok := output.FLBPluginGetContext(ctx).(*siem.Output)
	if !ok {
		return output.FLB_ERROR
	}
	closeOutput(o)
	return output.FLB_OK
}

//export FLBPluginExit
func FLBPluginExit() int {
	mu.Lock()
	left := make([]*siem.Output, 0, len(instances))
	for o := range instances {
		left = append(left, o)
	}
	mu.Unlock()
	for _, o := range left {
		closeOutput(o)
	}
	return output.FLB_OK
}

// closeOutput waits at most 30 s for requests in flight, then reports.
func closeOutput(o *siem.Output) {
	mu.Lock()
	open := instances[o]
	delete(instances, o)
	mu.Unlock()
	if !open {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := o.Close(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "[error] [output:siem] closing: %v\n", err)
	}
	o.Summary(os.Stderr)
}

func main() {}
