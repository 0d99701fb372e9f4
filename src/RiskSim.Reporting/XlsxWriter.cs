using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using A = DocumentFormat.OpenXml.Drawing;
using Xdr = DocumentFormat.OpenXml.Drawing.Spreadsheet;

namespace RiskSim.Reporting;

/// <summary>
/// A small writer of .xlsx workbooks over the Open XML SDK: sheets of typed cells (numbers stay numbers, with a number
/// format per cell), a shared-string table, bold frozen headers, column widths, and PNG images anchored to cells.
/// </summary>
internal sealed class XlsxWriter : IDisposable
{
    private readonly SpreadsheetDocument _doc;
    private readonly WorkbookPart _workbook;
    private readonly Sheets _sheets;
    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
    private readonly SharedStringTable _sst = new();
    private readonly Dictionary<(string Format, CellKind Kind), uint> _styles = [];
    private readonly List<string> _formats = [];
    private uint _nextSheetId = 1;

    public XlsxWriter(Stream output, string title)
    {
        _doc = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        _doc.PackageProperties.Title = title;
        _doc.PackageProperties.Creator = "RiskSim";
        _workbook = _doc.AddWorkbookPart();
        _workbook.Workbook = new Workbook();
        _sheets = _workbook.Workbook.AppendChild(new Sheets());
    }

    /// <summary>How a cell looks beyond its number format.</summary>
    public enum CellKind
    {
        Plain,
        Header,
        Title,
        Note,
        Bold,
    }

    public XlsxSheet AddSheet(string name) => new(this, name);

    /// <summary>Writes the shared strings and styles and closes the package.</summary>
    public void Dispose()
    {
        var sstPart = _workbook.AddNewPart<SharedStringTablePart>();
        _sst.Count = (uint)_strings.Count;
        _sst.UniqueCount = (uint)_strings.Count;
        sstPart.SharedStringTable = _sst;
        var styles = _workbook.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = Stylesheet();
        _workbook.Workbook.Save();
        _doc.Dispose();
    }

    internal int StringIndex(string s)
    {
        if (!_strings.TryGetValue(s, out int i))
        {
            i = _strings.Count;
            _strings[s] = i;
            _sst.AppendChild(new SharedStringItem(new Text(s) { Space = SpaceProcessingModeValues.Preserve }));
        }

        return i;
    }

    /// <summary>Style index of a number format ("General" or an Excel format code) and a look.</summary>
    internal uint Style(string format, CellKind kind)
    {
        if (!_styles.TryGetValue((format, kind), out uint id))
        {
            // Index 0 is the default style; each (format, kind) gets the next index, in order of first use.
            id = (uint)(_styles.Count + 1);
            _styles[(format, kind)] = id;
            if (format != "General" && !_formats.Contains(format))
            {
                _formats.Add(format);
            }
        }

        return id;
    }

    internal (WorksheetPart Part, uint SheetId) NewWorksheet(string name)
    {
        var part = _workbook.AddNewPart<WorksheetPart>();
        uint id = _nextSheetId++;
        _sheets.AppendChild(new Sheet { Id = _workbook.GetIdOfPart(part), SheetId = id, Name = name });
        return (part, id);
    }

    private Stylesheet Stylesheet()
    {
        // Custom number formats get ids from 164 (lower ids are Excel's built-in formats).
        var numberFormats = new NumberingFormats();
        var formatIds = new Dictionary<string, uint> { ["General"] = 0 };
        for (int i = 0; i < _formats.Count; i++)
        {
            uint fid = (uint)(164 + i);
            formatIds[_formats[i]] = fid;
            numberFormats.AppendChild(new NumberingFormat { NumberFormatId = fid, FormatCode = _formats[i] });
        }

        numberFormats.Count = (uint)_formats.Count;
        var fonts = new Fonts(
            new Font(new FontSize { Val = 11 }, new FontName { Val = "Calibri" }),
            new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "Calibri" }),
            new Font(new Bold(), new FontSize { Val = 14 }, new FontName { Val = "Calibri" }),
            new Font(new Italic(), new FontSize { Val = 10 }, new Color { Rgb = "FF595959" }, new FontName { Val = "Calibri" }))
        { Count = 4 };
        var fills = new Fills(
            new Fill(new PatternFill { PatternType = PatternValues.None }),
            new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
            new Fill(new PatternFill(new ForegroundColor { Rgb = "FFDDEBF7" }, new BackgroundColor { Indexed = 64 }) { PatternType = PatternValues.Solid }))
        { Count = 3 };
        var borders = new Borders(
            new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder()),
            new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin }, new DiagonalBorder()))
        { Count = 2 };
        var cellFormats = new CellFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 });
        foreach (var ((format, kind), _) in _styles.OrderBy(s => s.Value))
        {
            var cf = new CellFormat { NumberFormatId = formatIds[format], ApplyNumberFormat = format != "General" };
            switch (kind)
            {
                case CellKind.Header:
                    cf.FontId = 1;
                    cf.FillId = 2;
                    cf.BorderId = 1;
                    cf.ApplyFont = true;
                    cf.ApplyFill = true;
                    cf.ApplyBorder = true;
                    cf.Alignment = new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top };
                    cf.ApplyAlignment = true;
                    break;
                case CellKind.Title:
                    cf.FontId = 2;
                    cf.ApplyFont = true;
                    break;
                case CellKind.Note:
                    cf.FontId = 3;
                    cf.ApplyFont = true;
                    break;
                case CellKind.Bold:
                    cf.FontId = 1;
                    cf.ApplyFont = true;
                    break;
                default:
                    break;
            }

            cellFormats.AppendChild(cf);
        }

        cellFormats.Count = (uint)(_styles.Count + 1);
        var stylesheet = new Stylesheet();
        if (_formats.Count > 0)
        {
            stylesheet.AppendChild(numberFormats);
        }

        stylesheet.Append(fonts, fills, borders, new CellStyleFormats(new CellFormat()) { Count = 1 }, cellFormats, new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
        return stylesheet;
    }
}

/// <summary>One worksheet: cells are added row by row (rows in increasing order), then <see cref="Save"/> writes it.</summary>
internal sealed class XlsxSheet
{
    private const long EmuPerPixel = 9525;
    private readonly XlsxWriter _book;
    private readonly WorksheetPart _part;
    private readonly uint _sheetId;
    private readonly SheetData _data = new();
    private readonly SortedDictionary<int, double> _widths = [];
    private readonly List<(int Row, int Column, byte[] Png, string Name)> _images = [];
    private Row? _row;
    private (int Rows, int Columns)? _freeze;

    public XlsxSheet(XlsxWriter book, string name)
    {
        _book = book;
        (_part, _sheetId) = book.NewWorksheet(name);
    }

    /// <summary>Index (1-based) of the last row started.</summary>
    public int RowIndex { get; private set; }

    /// <summary>Starts row <paramref name="index"/> (1-based; after the current one).</summary>
    public XlsxSheet Row(int index)
    {
        if (index <= RowIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"row {index} after row {RowIndex}");
        }

        RowIndex = index;
        _row = new Row { RowIndex = (uint)index };
        _data.AppendChild(_row);
        return this;
    }

    /// <summary>Starts the next row.</summary>
    public XlsxSheet NextRow(int skip = 0) => Row(RowIndex + 1 + skip);

    /// <summary>A text cell (nothing for null or empty).</summary>
    public XlsxSheet Text(int column, string? text, XlsxWriter.CellKind kind = XlsxWriter.CellKind.Plain)
    {
        if (string.IsNullOrEmpty(text))
        {
            return kind == XlsxWriter.CellKind.Header ? Empty(column, kind) : this;
        }

        var cell = NewCell(column, "General", kind);
        cell.DataType = CellValues.SharedString;
        cell.CellValue = new CellValue(_book.StringIndex(text).ToString(CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A number cell with an Excel number format; null or non-finite writes <paramref name="missing"/> as text instead (or nothing).</summary>
    public XlsxSheet Number(int column, double? value, string format = "General", XlsxWriter.CellKind kind = XlsxWriter.CellKind.Plain, string? missing = null)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return missing is null ? this : Text(column, missing, XlsxWriter.CellKind.Note);
        }

        var cell = NewCell(column, format, kind);
        cell.DataType = CellValues.Number;
        cell.CellValue = new CellValue(v.ToString("R", CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A boolean cell (TRUE/FALSE).</summary>
    public XlsxSheet Boolean(int column, bool value)
    {
        var cell = NewCell(column, "General", XlsxWriter.CellKind.Plain);
        cell.DataType = CellValues.Boolean;
        cell.CellValue = new CellValue(value ? "1" : "0");
        return this;
    }

    /// <summary>A row of header cells from column 1.</summary>
    public XlsxSheet Headers(params string[] headers)
    {
        for (int c = 0; c < headers.Length; c++)
        {
            Text(c + 1, headers[c], XlsxWriter.CellKind.Header);
        }

        return this;
    }

    /// <summary>Column width in characters (1-based column).</summary>
    public XlsxSheet Width(int column, double characters)
    {
        _widths[column] = characters;
        return this;
    }

    /// <summary>Freezes the first <paramref name="rows"/> rows and <paramref name="columns"/> columns.</summary>
    public XlsxSheet Freeze(int rows, int columns = 0)
    {
        _freeze = (rows, columns);
        return this;
    }

    /// <summary>Anchors a PNG image (its encoded bytes) by its top-left corner at a cell (1-based).</summary>
    public XlsxSheet Image(int row, int column, byte[] png, string name)
    {
        _images.Add((row, column, png, name));
        return this;
    }

    /// <summary>Width and height in pixels from a PNG's IHDR chunk.</summary>
    public static (int Width, int Height) PngSize(byte[] png)
    {
        if (png.Length < 24 || png[0] != 0x89 || png[1] != (byte)'P' || png[2] != (byte)'N' || png[3] != (byte)'G')
        {
            throw new InvalidDataException("not a PNG file");
        }

        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    public void Save(double imageScale = 0.6)
    {
        var ws = new Worksheet();
        if (_freeze is { } f && (f.Rows > 0 || f.Columns > 0))
        {
            var pane = new Pane
            {
                State = PaneStateValues.Frozen,
                TopLeftCell = $"{ColumnName(f.Columns + 1)}{f.Rows + 1}",
                ActivePane = f.Rows > 0 && f.Columns > 0 ? PaneValues.BottomRight : f.Rows > 0 ? PaneValues.BottomLeft : PaneValues.TopRight,
            };
            if (f.Rows > 0)
            {
                pane.VerticalSplit = f.Rows;
            }

            if (f.Columns > 0)
            {
                pane.HorizontalSplit = f.Columns;
            }

            ws.AppendChild(new SheetViews(new SheetView(pane, new Selection { Pane = pane.ActivePane, ActiveCell = pane.TopLeftCell, SequenceOfReferences = new ListValue<StringValue>([new StringValue(pane.TopLeftCell)]) }) { WorkbookViewId = 0, TabSelected = _sheetId == 1 }));
        }

        if (_widths.Count > 0)
        {
            var cols = new Columns();
            foreach (var (c, w) in _widths)
            {
                cols.AppendChild(new Column { Min = (uint)c, Max = (uint)c, Width = w, CustomWidth = true });
            }

            ws.AppendChild(cols);
        }

        ws.AppendChild(_data);
        if (_images.Count > 0)
        {
            var drawings = _part.AddNewPart<DrawingsPart>();
            var wsDr = new Xdr.WorksheetDrawing();
            uint id = 1;
            foreach (var (row, column, bytes, name) in _images)
            {
                var (w, h) = PngSize(bytes);
                var image = drawings.AddImagePart(ImagePartType.Png);
                using (var ms = new MemoryStream(bytes))
                {
                    image.FeedData(ms);
                }

                long cx = (long)(w * imageScale) * EmuPerPixel, cy = (long)(h * imageScale) * EmuPerPixel;
                wsDr.AppendChild(new Xdr.OneCellAnchor(
                    new Xdr.FromMarker(new Xdr.ColumnId((column - 1).ToString(CultureInfo.InvariantCulture)), new Xdr.ColumnOffset("0"), new Xdr.RowId((row - 1).ToString(CultureInfo.InvariantCulture)), new Xdr.RowOffset("0")),
                    new Xdr.Extent { Cx = cx, Cy = cy },
                    new Xdr.Picture(
                        new Xdr.NonVisualPictureProperties(
                            new Xdr.NonVisualDrawingProperties { Id = id++, Name = name, Description = name },
                            new Xdr.NonVisualPictureDrawingProperties(new A.PictureLocks { NoChangeAspect = true })),
                        new Xdr.BlipFill(new A.Blip { Embed = drawings.GetIdOfPart(image) }, new A.Stretch(new A.FillRectangle())),
                        new Xdr.ShapeProperties(
                            new A.Transform2D(new A.Offset { X = 0, Y = 0 }, new A.Extents { Cx = cx, Cy = cy }),
                            new A.PresetGeometry(new A.AdjustValueList()) { Preset = A.ShapeTypeValues.Rectangle })),
                    new Xdr.ClientData()));
            }

            drawings.WorksheetDrawing = wsDr;
            ws.AppendChild(new Drawing { Id = _part.GetIdOfPart(drawings) });
        }

        _part.Worksheet = ws;
    }

    /// <summary>Excel column letters of a 1-based column: 1 → A, 27 → AA.</summary>
    public static string ColumnName(int column)
    {
        string s = "";
        for (int c = column; c > 0; c = (c - 1) / 26)
        {
            s = (char)('A' + ((c - 1) % 26)) + s;
        }

        return s;
    }

    private Cell NewCell(int column, string format, XlsxWriter.CellKind kind)
    {
        if (_row is null)
        {
            throw new InvalidOperationException("start a row first");
        }

        var cell = new Cell { CellReference = $"{ColumnName(column)}{RowIndex}" };
        uint style = _book.Style(format, kind);
        cell.StyleIndex = style;
        _row.AppendChild(cell);
        return cell;
    }

    private XlsxSheet Empty(int column, XlsxWriter.CellKind kind)
    {
        NewCell(column, "General", kind);
        return this;
    }
}
