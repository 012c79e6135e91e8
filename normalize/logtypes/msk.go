package logtypes

import (
	"strings"
	"sync/atomic"
)

// Amazon MSK broker logs ([msk], delivered to S3 by MSK). The transform
// takes the cluster name and broker id from the S3 key
// (.../<cluster>-<uuid>-<n>/.../Broker-<id>_...), reads the ConsumerLag
// lines of the MSK canary into msk.group_id, topic, sum_lag, max_lag and
// time_lag (msk.log_type "ConsumerLag"), and moves every msk_* field under
// msk. (Without an S3 key es-loader's script raises; here the key is
// simply not read.)

func init() { register("msk", transformMSK) }

var (
	mskClusterInKey = pyRegexp(`/([\w-]+)-(\w{8}-\w{4}-\w{4}-\w{4}-\w{12}-\w{1})/.*/Broker-(\d+)_`)
	mskConsumerLag  = pyRegexp(`^ConsumerLag for groupId=([\w.-]+) topic=([\w.-]+) : SumLag=(\d+) MaxLag=(\d+) TimeLag=(\d+)`)
)

// mskKey is what the S3 key of the object being read names; every record
// of an object has the same key, so the last one is remembered.
type mskKey struct {
	key, cluster, broker string
	found                bool
}

var lastMSKKey atomic.Pointer[mskKey]

func mskKeyInfo(key string) *mskKey {
	if k := lastMSKKey.Load(); k != nil && k.key == key {
		return k
	}
	k := &mskKey{key: key}
	if m := mskClusterInKey.FindStringSubmatch(key); m != nil {
		k.cluster, k.broker, k.found = m[1], m[3], true
	}
	lastMSKKey.Store(k)
	return k
}

func transformMSK(r *Record) error {
	d := r.Doc
	if key, ok := d.GetString("@log_s3key"); ok {
		if k := mskKeyInfo(key); k.found {
			d.Set("msk_cluster_name", k.cluster)
			d.Set("msk_broker_id", k.broker)
		}
	}
	if msg, ok := d.GetString("msk_message"); ok && strings.HasPrefix(msg, "ConsumerLag ") {
		if m := mskConsumerLag.FindStringSubmatch(msg); m != nil {
			d.Set("msk_log_type", "ConsumerLag")
			d.Set("msk_group_id", m[1])
			d.Set("msk_topic", m[2])
			d.Set("msk_sum_lag", m[3])
			d.Set("msk_max_lag", m[4])
			d.Set("msk_time_lag", m[5])
		}
	}
	moveUnderscoreFields(d, "msk")
	return nil
}
