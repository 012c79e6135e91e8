package decode

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// winEventXMLOptions: es-loader parses Windows events with xmltodict,
// attributes without prefix and text kept with its white space.
var winEventXMLOptions = xmlDictOptions{attrPrefix: "", stripText: false}

// ErrNotWindowsEvent: the XML is well-formed but is not an <Event> with a
// <System> element. es-loader fails on the whole object there.
var ErrNotWindowsEvent = errors.New("not a Windows event")

// WinEvtXML converts one Windows event (the text of an <Event> element: an
// event cut from a winevtxml object or a CloudWatch Logs message) into
// es-loader's record:
//
//   - the XML as xmltodict gives it: {"Event": {...}}, attributes as plain
//     keys, text under "#text" when the element also has attributes or
//     children, repeated elements as lists;
//   - if that fails, once more with every character below U+0020 removed
//     (es-loader's retry for control characters);
//   - no "#text" in Event and System (the line breaks of pretty-printed
//     events), nor in EventData when it has Data;
//   - EventData.Data as an object: {Name: text} for each <Data Name=...>
//     with a text other than "-", and for unnamed Data texts their 1-based
//     position ("0" for a lone one);
//   - EventID with a Qualifiers attribute becomes its text, and
//     System.Qualifiers the attribute;
//   - Data.AccessList and Data.PrivilegeList split at white space.
//
// es-loader raises (and loses the whole object) where this returns an
// error: XML that is still not well-formed, no Event or System element,
// an EventID with attributes but no text. A <Data> with attributes but no
// Name, where es-loader raises too, is keyed by its position like an
// unnamed one.
func WinEvtXML(raw string) (*pyjson.Map, error) {
	text := strings.TrimRight(logtypes.PyStrip(raw), "\x00")
	rec, err := parseXMLDict(text, winEventXMLOptions)
	if err != nil {
		rec, err = parseXMLDict(dropC0Controls(text), winEventXMLOptions)
		if err != nil {
			return nil, fmt.Errorf("Windows event XML: %w", err)
		}
	}
	ev, ok := mapAt(rec, "Event")
	if !ok {
		return nil, fmt.Errorf("%w: the root element is <%s>, not <Event>", ErrNotWindowsEvent, rec.Keys()[0])
	}
	ev.Delete(textKey)
	system, ok := mapAt(ev, "System")
	if !ok {
		return nil, fmt.Errorf("%w: no <System> element with content", ErrNotWindowsEvent)
	}
	system.Delete(textKey)

	if eventData, ok := mapAt(ev, "EventData"); ok {
		if data, has := eventData.Get("Data"); has {
			eventData.Delete(textKey)
			if pyjson.Truthy(data) {
				eventData.Set("Data", eventDataFields(data))
			}
		}
	}

	id, ok := system.Get("EventID")
	if !ok {
		return rec, nil
	}
	if attrs, isMap := id.(*pyjson.Map); isMap {
		text, hasText := attrs.Get(textKey)
		if !hasText {
			return nil, fmt.Errorf("%w: <EventID> has attributes but no number", ErrNotWindowsEvent)
		}
		system.Set("EventID", text)
		if q, hasQ := attrs.Get("Qualifiers"); hasQ {
			system.Set("Qualifiers", q)
		}
	}
	if eventData, ok := mapAt(ev, "EventData"); ok {
		if fields, ok := mapAt(eventData, "Data"); ok {
			splitWords(fields, "AccessList")
			splitWords(fields, "PrivilegeList")
		}
	}
	return rec, nil
}

// eventDataFields flattens the <Data> elements of EventData.
func eventDataFields(data any) *pyjson.Map {
	switch d := data.(type) {
	case string:
		out := pyjson.NewMap(1)
		out.Set("0", d)
		return out
	case *pyjson.Map:
		out := pyjson.NewMap(1)
		addNamedData(out, d, "0")
		return out
	case []any:
		out := pyjson.NewMap(len(d))
		for i, e := range d {
			pos := strconv.Itoa(i + 1)
			switch x := e.(type) {
			case *pyjson.Map:
				addNamedData(out, x, pos)
			case string:
				if x != "" {
					out.Set(pos, x)
				}
			}
		}
		return out
	}
	return pyjson.NewMap(0)
}

func addNamedData(out, data *pyjson.Map, pos string) {
	text, _ := data.Get(textKey)
	s, ok := text.(string)
	if !ok || s == "" || s == "-" {
		return
	}
	name, hasName := data.Get("Name")
	if !hasName {
		out.Set(pos, s)
		return
	}
	if n, ok := name.(string); ok {
		out.Set(n, s)
	}
}

// splitWords is Python's str.split() of fields[key] when it is a string.
func splitWords(fields *pyjson.Map, key string) {
	v, ok := fields.Get(key)
	if !ok {
		return
	}
	s, ok := v.(string)
	if !ok {
		return
	}
	words := strings.FieldsFunc(s, logtypes.PyIsSpace)
	list := make([]any, len(words))
	for i, w := range words {
		list[i] = w
	}
	fields.Set(key, list)
}

func mapAt(m *pyjson.Map, key string) (*pyjson.Map, bool) {
	v, _ := m.Get(key)
	sub, ok := v.(*pyjson.Map)
	return sub, ok
}

// dropC0Controls removes every character below U+0020, line ends and tabs
// included, as es-loader's retry does.
func dropC0Controls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return -1
		}
		return r
	}, s)
}
