package output

import (
	"errors"
	"runtime/debug"
	"testing"
)

func TestCgroupMemoryLimit(t *testing.T) {
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if v, ok := m[name]; ok {
				return []byte(v), nil
			}
			return nil, errors.New("no such file")
		}
	}
	for _, tc := range []struct {
		files map[string]string
		want  int64
	}{
		{map[string]string{"/sys/fs/cgroup/memory.max": "268435456\n"}, 256 << 20},
		{map[string]string{"/sys/fs/cgroup/memory.max": "max\n"}, 0},
		{map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "104857600\n"}, 100 << 20},
		{map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 0},
		{map[string]string{"/sys/fs/cgroup/memory.max": "garbage"}, 0},
		{map[string]string{}, 0},
	} {
		if got := cgroupMemoryLimit(files(tc.files)); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.files, got, tc.want)
		}
	}
}

func TestTuneGCLeavesTheEnvironmentInCharge(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	if gc, lim := TuneGC(); gc != -1 || lim != -1 {
		t.Fatalf("set GOGC %d / limit %d despite the environment", gc, lim)
	}
	t.Setenv("GOGC", "")
	if gc, _ := TuneGC(); gc != 400 || debug.SetGCPercent(100) != 400 {
		t.Fatalf("GOGC %d, want 400", gc)
	}
}
