package decode

import (
	"fmt"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// plainXMLOptions are xmltodict's defaults, which es-loader's `xml` reader
// uses: attributes prefixed with "@", text stripped.
var plainXMLOptions = xmlDictOptions{attrPrefix: "@", stripText: true}

// XML converts one record of an `xml` object (cut by XMLLines, or a
// CloudWatch Logs message) as xmltodict.parse does by default:
// {root: {"@attr": ..., "child": ..., "#text": ...}}, an element with
// neither attributes nor children as its stripped text (None when empty),
// repeated elements as lists.
//
// es-loader's own `xml` reader only ever parses the last record of an
// object (it skips the first and fails on any other), so there is no
// es-loader document to match beyond that one; every record is parsed
// here.
func XML(raw string) (*pyjson.Map, error) {
	rec, err := parseXMLDict(raw, plainXMLOptions)
	if err != nil {
		return nil, fmt.Errorf("xml: %w", err)
	}
	return rec, nil
}
