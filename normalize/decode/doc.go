// Package decode turns the bodies of log objects in es-loader's less
// common file formats into raw records, shaped exactly as es-loader's
// readers shape them, so that the engine's ECS mapping, `_id` and
// `@message` come out the same:
//
//   - winevtxml: Windows event XML (xmltodict without attribute prefix or
//     whitespace stripping, then es-loader's EventData/EventID rework);
//   - xml: generic XML records cut by `xml_firstline` (xmltodict
//     defaults);
//   - cef: ArcSight Common Event Format lines, parsed the way es-loader's
//     regular expressions parse them;
//   - parquet: Security Lake OCSF objects, row by row as pandas and
//     pyarrow hand them to es-loader.
//
// Nothing here touches configuration or documents: a decoder takes bytes
// and yields records, and says clearly why it could not.
package decode
