package logtypes

// AWS Config snapshots ([config-snapshot], the configurationItems of a
// ConfigSnapshot object, all dated by the snapshot time in the key). The
// transform
//
//   - gives every version of a resource one @id and a per-version _id
//     suffix (capture time and type), see setConfigDocID,
//   - turns objects keyed by arbitrary names (S3 notification and
//     replication rules, SSM inventory contents, compliance items) into
//     lists,
//   - renames or wraps fields whose type varies between resource types
//     (owner.id, state.code/name, stateReason, endpoint, WAF rule
//     statements, ...),
//   - fills cloud.instance.id and related.hosts, user.* and related.user,
//     and related.ip from the item, by resource type.
//
// An item without text account, region, resource type and resource id is
// counted as a transform error (es-loader's script raises on it before
// changing anything).

func init() { register("config-snapshot", transformConfigItem) }

// transformConfigItem is the transform of configuration items, snapshot
// and history alike (sf_config_history.py runs the snapshot steps).
func transformConfigItem(r *Record) error {
	if err := setConfigDocID(r); err != nil {
		return err
	}
	d := r.Doc
	convertConfigObjectsToLists(d)
	renameConfigFields(d)
	setConfigHost(d)
	setConfigUser(d)
	setConfigIP(d)
	return nil
}
