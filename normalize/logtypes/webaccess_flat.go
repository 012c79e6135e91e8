package logtypes

// The flat counterpart of transformWebAccess (nginx-access, apache-access).
// What a flat record cannot have is left out: @log_group (the scheme) and
// @log_stream (the instance id) come only with CloudWatch envelopes, which
// keep the general path. Records whose document the plan's fixed shape
// cannot give go the general way (FlatRecord.General): an X-Forwarded-For
// value (the script rebuilds http), and a method, version or url the
// script adds where the mapping left none (the general path appends such
// a field after the others, not in the mapping's place).

func init() {
	registerFlat("nginx-access", planWebAccess(nginxRawFields[:]))
	registerFlat("apache-access", planWebAccess(apacheRawFields[:]))
}

func planWebAccess(rawFields []string) FlatPlanner {
	return func(b FlatBinder) (FlatTransform, bool) {
		var req [len(webAccessFields)]int
		for i, k := range webAccessFields {
			req[i] = b.Raw(k)
		}
		status := b.Raw("response_status")
		// in the order the script writes them
		version := b.Field("http.version")
		method := b.Field("http.request.method")
		outcome := b.Field("event.outcome")
		var url [7]Slot // original, domain, port, fragment, path, query, extension
		for i, f := range [...]string{"original", "domain", "port", "fragment", "path", "query", "extension"} {
			url[i] = b.Field("url." + f)
		}
		service := b.Field("service.name")
		for _, f := range rawFields {
			b.DropRaw(f)
		}
		return func(r *FlatRecord) {
			var vals [len(webAccessFields)]string
			for i, pos := range req {
				vals[i], _ = r.Fields.Get(pos)
			}
			if vals[4] != "" { // xff
				r.General = true
				return
			}
			u := parseHTTPRequest(vals[0], vals[1], vals[2], vals[3])
			_, hasVersion := r.Str(version)
			_, hasMethod := r.Str(method)
			hasURL := false
			for _, s := range url {
				_, _, _, ok := r.Value(s)
				hasURL = hasURL || ok
			}
			if !hasURL || (u.has&huVersion != 0 && !hasVersion) || (u.has&huMethod != 0 && !hasMethod) {
				r.General = true
				return
			}
			outcomeV := "unknown"
			if st, ok := r.Fields.Get(status); ok {
				if n, ok := pyIntString(st); ok && n != 0 {
					if n < 400 {
						outcomeV = "success"
					} else {
						outcomeV = "failure"
					}
				}
			}
			if u.has&huVersion != 0 {
				r.SetStr(version, u.version)
			}
			if u.has&huMethod != 0 {
				r.SetStr(method, u.method)
			}
			r.SetStr(outcome, outcomeV)
			for i, has := range [...]bool{u.has&huOriginal != 0, u.has&huDomain != 0, u.has&huPort != 0,
				u.has&huFragment != 0, true, u.has&huQuery != 0, u.has&huExtension != 0} {
				if has {
					r.SetStr(url[i], [...]string{u.original, u.domain, u.port, u.fragment, u.path, u.query, u.extension}[i])
				}
			}
			if name, ok := webSiteName(r.S3Key); ok {
				r.SetStr(service, name)
			}
		}, true
	}
}
