package normalize

// WithoutFlatPlans turns the flat path off, so that tests can compare its
// documents with the general path's.
func WithoutFlatPlans(n *Normalizer) *Normalizer {
	n.noFlat = true
	return n
}

// FlatPlanned reports whether a log type's records with these field names
// take the flat path.
func FlatPlanned(n *Normalizer, logType string, names []string) bool {
	lt := n.cfg.Type(logType)
	return lt != nil && n.compileFlat(lt, names, false) != nil
}

// FlatFirelensPlanned reports whether FireLens records of a text type
// take the flat path.
func FlatFirelensPlanned(n *Normalizer, logType string) bool {
	lt := n.cfg.Type(logType)
	if lt == nil || lt.LogPattern == nil || n.noFlat {
		return false
	}
	var names []string
	for _, g := range lt.LogPattern.SubexpNames()[1:] {
		if g != "" {
			names = append(names, g)
		}
	}
	return n.compileFlat(lt, append(names, firelensNames[:]...), true) != nil
}

// WithoutInPlaceJSON turns off decoding JSON records where they lie in the
// read buffer and transcoding @message from their text, so that tests can
// compare the documents with those of the copying, rendering route.
func WithoutInPlaceJSON(n *Normalizer) *Normalizer {
	n.noInPlace = true
	return n
}
