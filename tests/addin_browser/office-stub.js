// A stand-in for Office.js, served in place of the office.js xlwings Server ships when the
// task pane is loaded in headless Chromium (tests/test_addin_browser.py). It holds one workbook
// in memory (globalThis.STUB_BOOK, prepended by the test: {name, sheets: [{name, values,
// tables: [{name, address, columns}]}]}), answers what xlwings' client reads through Excel.run,
// and records every call and assignment the add-in makes (globalThis.__stub.log), so the test
// can see what Excel would have been asked to do. Anything it does not model is a recorder: a
// call or property that records itself and returns another recorder.
(function () {
  "use strict";
  const BOOK = globalThis.STUB_BOOK || { name: "Book1.xlsx", sheets: [{ name: "Sheet1", values: [[""]] }] };
  const log = [];
  const stub = {
    log: log,
    actions: {},
    functions: {},
    ribbonUpdates: [],
    dialogs: [],
    requests: [],
  };
  globalThis.__stub = stub;

  function record(entry) {
    log.push(JSON.parse(JSON.stringify(entry, (key, value) => (typeof value === "function" ? undefined : value))));
  }

  // --- Recorders: everything not modelled
  function recorder(label) {
    const store = {};
    const target = function () {};
    const proxy = new Proxy(target, {
      get(_, prop) {
        if (prop === "then" || prop === "toJSON" || typeof prop === "symbol") return undefined;
        if (prop === "load") return () => proxy;
        if (prop === "isNullObject") return false;
        if (prop === "items") return store.items || (store.items = []);
        if (!(prop in store)) store[prop] = recorder(`${label}.${String(prop)}`);
        return store[prop];
      },
      set(_, prop, value) {
        record({ op: "set", target: label, name: String(prop), value: value });
        store[prop] = value;
        return true;
      },
      apply(_, thisArg, args) {
        const name = label.split(".").pop();
        record({ op: "call", target: label.split(".").slice(0, -1).join("."), name: name, args: args.map(plain) });
        return recorder(`${label}()`);
      },
    });
    return proxy;
  }

  function plain(value) {
    if (value && value.__address) return { range: value.__address };
    if (typeof value === "function") return "<object>";
    return value;
  }

  // An object whose own properties are real and whose other properties are recorders.
  function modelled(object, label) {
    const extras = {};
    return new Proxy(object, {
      get(target, prop, receiver) {
        if (prop in target || typeof prop === "symbol" || prop === "then" || prop === "toJSON") {
          return Reflect.get(target, prop, receiver);
        }
        if (prop === "isNullObject") return false;
        if (!(prop in extras)) extras[prop] = recorder(`${label()}.${String(prop)}`);
        return extras[prop];
      },
      set(target, prop, value, receiver) {
        const descriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(target), prop);
        record({ op: "set", target: label(), name: String(prop), value: plain(value) });
        if (descriptor && descriptor.set) return Reflect.set(target, prop, value, receiver);
        target[prop] = value;
        return true;
      },
    });
  }

  function nullObject() {
    return { isNullObject: true, load() { return this; } };
  }

  // --- Addresses
  function columnNumber(letters) {
    let n = 0;
    for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
    return n;
  }
  function columnLetters(n) {
    let s = "";
    while (n > 0) {
      const rest = (n - 1) % 26;
      s = String.fromCharCode(65 + rest) + s;
      n = Math.floor((n - 1) / 26);
    }
    return s;
  }
  function parseAddress(address) {
    address = String(address).split("!").pop().replace(/\$/g, "");
    const [a, b] = address.split(":");
    const cell = (ref, end) => {
      const m = /^([A-Za-z]*)(\d*)$/.exec(ref);
      const col = m[1] ? columnNumber(m[1]) : end ? 16384 : 1;
      const row = m[2] ? Number(m[2]) : end ? 1048576 : 1;
      return [row - 1, col - 1];
    };
    const [r0, c0] = cell(a, false);
    const [r1, c1] = b === undefined ? [r0, c0] : cell(b, true);
    return [r0, c0, r1 - r0 + 1, c1 - c0 + 1];
  }

  // --- The workbook model
  class Range {
    constructor(sheet, row, column, rowCount, columnCount) {
      Object.assign(this, { worksheet: sheet, rowIndex: row, columnIndex: column, rowCount: rowCount, columnCount: columnCount });
      this.format = recorder(`${this.__label()}.format`);
    }
    __label() { return `range:${this.worksheet.name}!${this.__address}`; }
    get __address() {
      const first = `${columnLetters(this.columnIndex + 1)}${this.rowIndex + 1}`;
      const last = `${columnLetters(this.columnIndex + this.columnCount)}${this.rowIndex + this.rowCount}`;
      return first === last ? first : `${first}:${last}`;
    }
    get address() { return `${this.worksheet.name}!${this.__address}`; }
    get values() {
      const rows = [];
      for (let r = 0; r < this.rowCount; r++) {
        const source = this.worksheet.__values[this.rowIndex + r] || [];
        const row = [];
        for (let c = 0; c < this.columnCount; c++) {
          const v = source[this.columnIndex + c];
          row.push(v === undefined || v === null ? "" : v);
        }
        rows.push(row);
      }
      return rows;
    }
    set values(matrix) {
      for (let r = 0; r < matrix.length; r++) {
        const target = (this.worksheet.__values[this.rowIndex + r] ||= []);
        for (let c = 0; c < matrix[r].length; c++) target[this.columnIndex + c] = matrix[r][c];
      }
    }
    get numberFormat() { return this.values.map((row) => row.map(() => "General")); }
    set numberFormat(_) {}
    load() { return this; }
    getCell(r, c) { return this.worksheet.getRangeByIndexes(this.rowIndex + r, this.columnIndex + c, 1, 1); }
  }

  class Collection {
    constructor(label, items = []) { this.items = items; this.__label = label; }
    load() { return this; }
    getCount() { return { value: this.items.length, load() { return this; } }; }
  }

  class Worksheet {
    constructor(name, values, tables_) {
      this.name = name;
      this.__values = values || [];
      this.visibility = "Visible";
      this.showGridlines = true;
      const tables = new Collection("tables", []);
      tables.add = (address, hasHeaders) => {
        record({ op: "call", target: `sheet:${this.name}.tables`, name: "add", args: [plain(address), hasHeaders] });
        const [r, c, , columns] = parseAddress(address.__address || address);
        const header = (this.__values[r] || []).slice(c, c + columns);
        const table = this.__table({ name: `Table${tables.items.length + 1}`, address: address.__address || address, columns: header });
        tables.items.push(table);
        return table;
      };
      this.tables = modelled(tables, () => `sheet:${this.name}.tables`);
      for (const t of tables_ || []) tables.items.push(this.__table(t));
      const charts = new Collection("charts", []);
      charts.add = (type, source, seriesBy) => {
        record({ op: "call", target: `sheet:${this.name}.charts`, name: "add", args: [type, plain(source), seriesBy] });
        const index = charts.items.length;
        const chart = modelled(
          { name: `Chart ${index + 1}`, chartType: type, left: 0, top: 0, width: 360, height: 216, load() { return this; } },
          () => `chart:${this.name}#${index}`,
        );
        charts.items.push(chart);
        return chart;
      };
      this.charts = modelled(charts, () => `sheet:${this.name}.charts`);
      this.shapes = new Collection("shapes", []);
      this.names = new Collection("names", []);
      this.pageLayout = { getPrintAreaOrNullObject: () => nullObject() };
      this.freezePanes = recorder(`sheet:${name}.freezePanes`);
    }
    __table(t) {
      const [r, c, rows, columns] = parseAddress(t.address);
      const sheet = this;
      const table = {
        name: t.name, showHeaders: true, showTotals: false, style: "TableStyleMedium2",
        showFilterButton: true, highlightFirstColumn: false, highlightLastColumn: false,
        showBandedRows: true, showBandedColumns: false,
        load() { return this; },
        getRange: () => sheet.getRangeByIndexes(r, c, rows, columns),
        getDataBodyRange: () => sheet.getRangeByIndexes(r + 1, c, Math.max(rows - 1, 1), columns),
        getHeaderRowRange: () => sheet.getRangeByIndexes(r, c, 1, columns),
        getTotalRowRange: () => nullObject(),
        columns: new Collection("columns", t.columns.map((name) => ({ name: String(name) }))),
      };
      return modelled(table, () => `table:${sheet.name}!${table.name}`);
    }
    get position() { return stub.sheets.indexOf(this.__proxy); }
    set position(index) {
      const items = stub.sheets;
      items.splice(items.indexOf(this.__proxy), 1);
      items.splice(index, 0, this.__proxy);
    }
    load() { return this; }
    getRange(address) {
      if (address === undefined) return this.getRangeByIndexes(0, 0, 1048576, 16384);
      return this.getRangeByIndexes(...parseAddress(address));
    }
    getRangeByIndexes(row, column, rowCount, columnCount) {
      const range = new Range(this.__proxy, row, column, rowCount, columnCount);
      return modelled(range, () => range.__label());
    }
    getUsedRangeOrNullObject() {
      const rows = this.__values.length;
      const columns = Math.max(0, ...this.__values.map((r) => r.length));
      if (!rows || !columns) return nullObject();
      return this.getRangeByIndexes(0, 0, rows, columns);
    }
    delete() {
      record({ op: "call", target: `sheet:${this.name}`, name: "delete", args: [] });
      stub.sheets.splice(stub.sheets.indexOf(this.__proxy), 1);
    }
    activate() {
      record({ op: "call", target: `sheet:${this.name}`, name: "activate", args: [] });
      stub.active = this.__proxy;
    }
  }

  function makeSheet(name, values, tables) {
    const sheet = new Worksheet(name, values, tables);
    sheet.__proxy = modelled(sheet, () => `sheet:${sheet.name}`);
    return sheet.__proxy;
  }

  stub.sheets = BOOK.sheets.map((s) => makeSheet(s.name, JSON.parse(JSON.stringify(s.values)), s.tables));
  stub.active = stub.sheets[0];
  stub.sheetNames = () => stub.sheets.map((s) => s.name);
  stub.valuesOf = (name) => stub.sheets.find((s) => s.name === name).__values;

  const worksheets = {
    get items() { return stub.sheets; },
    load() { return this; },
    getItem(name) {
      const sheet = stub.sheets.find((s) => s.name.toLowerCase() === String(name).toLowerCase());
      if (!sheet) throw new Error(`ItemNotFound: no sheet ${name}`);
      return sheet;
    },
    getItemOrNullObject(name) {
      return stub.sheets.find((s) => s.name.toLowerCase() === String(name).toLowerCase()) || nullObject();
    },
    getActiveWorksheet() { return stub.active; },
    add(name) {
      record({ op: "call", target: "worksheets", name: "add", args: [name] });
      const sheet = makeSheet(name || `Sheet${stub.sheets.length + 1}`, [], []);
      stub.sheets.push(sheet);
      return sheet;
    },
  };

  function newContext() {
    const workbook = {
      name: BOOK.name,
      worksheets: worksheets,
      names: new Collection("names", []),
      application: modelled({
        calculationMode: "Automatic",
        cultureInfo: {
          name: "en-GB",
          datetimeFormat: { shortDatePattern: "dd/MM/yyyy", load() { return this; } },
          load() { return this; },
        },
        load() { return this; },
      }, () => "application"),
      getSelectedRange: () => stub.active.getRange("A1"),
      load() { return this; },
    };
    return {
      workbook: workbook,
      application: workbook.application,
      sync: () => Promise.resolve(),
      trackedObjects: { add() {}, remove() {} },
    };
  }

  // --- Requirement sets: about what Excel 2021, the oldest Excel the manifest admits, says
  // (ExcelApi 1.14: no notes, which need 1.18).
  const SUPPORTED = { ExcelApi: "1.14", SharedRuntime: "1.1", CustomFunctionsRuntime: "1.4", RibbonApi: "1.1", DialogApi: "1.2" };
  function isSetSupported(name, version) {
    // Office compares requirement set names without regard to case ("ExcelAPI", "ExcelApi").
    const key = Object.keys(SUPPORTED).find((k) => k.toLowerCase() === String(name).toLowerCase());
    const have = key ? SUPPORTED[key] : null;
    if (!have) return false;
    const [a, b] = String(version || "1.1").split(".").map(Number);
    const [x, y] = have.split(".").map(Number);
    return x > a || (x === a && y >= (b || 0));
  }

  const ready = Promise.resolve({ host: "Excel", platform: "OfficeOnline" });
  globalThis.Office = {
    onReady(callback) {
      if (callback) ready.then(callback);
      return ready;
    },
    context: {
      platform: "OfficeOnline",
      requirements: { isSetSupported: isSetSupported },
      diagnostics: undefined,
      ui: {
        displayDialogAsync(url, options, callback) {
          stub.dialogs.push({ url: String(url), options: options });
          if (callback) callback({ status: "succeeded", value: { addEventHandler() {}, close() {}, messageChild() {} } });
        },
        openBrowserWindow(url) { stub.dialogs.push({ browser: String(url) }); },
      },
    },
    actions: { associate(name, fn) { stub.actions[name] = fn; } },
    ribbon: {
      requestUpdate(input) {
        stub.ribbonUpdates.push(JSON.parse(JSON.stringify(input)));
        return Promise.resolve();
      },
    },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
    HostType: { Excel: "Excel" },
  };

  class RequestContext {
    constructor() { Object.assign(this, newContext()); }
  }
  const enums = new Proxy({}, { get: (_, prop) => (typeof prop === "symbol" ? undefined : String(prop)) });
  globalThis.Excel = new Proxy(
    {
      RequestContext: RequestContext,
      async run(batch) {
        const context = newContext();
        const result = await batch(context);
        await context.sync();
        return result;
      },
    },
    { get: (target, prop) => (prop in target ? target[prop] : enums) },
  );

  class CustomFunctionError extends Error {
    constructor(code, message) { super(message); this.code = code; }
  }
  globalThis.CustomFunctions = {
    associate(id, fn) { stub.functions[id] = fn; },
    Error: CustomFunctionError,
    ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A" },
  };
  globalThis.OfficeRuntime = { storage: { getItem: async () => null, setItem: async () => {} } };

  // Ribbon button clicks, as Excel makes them: the function gets an event to complete.
  stub.clickRibbon = function (functionName) {
    return new Promise((resolve) => {
      stub.actions[functionName]({ completed: () => resolve(true), source: { id: functionName } });
    });
  };
  // A worksheet function call, as Excel makes it: the arguments, then an invocation.
  stub.callFunction = async function (id, ...args) {
    const invocation = { address: "Summary!B2", setResult() {}, onCanceled: null };
    return await stub.functions[id](...args, invocation);
  };

  // Every request the add-in makes, with what came back.
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__request = { method: method, url: String(url) };
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (body) {
    const request = this.__request;
    request.body = body == null ? null : String(body);
    stub.requests.push(request);
    this.addEventListener("loadend", () => {
      request.status = this.status;
      request.response = this.responseText;
    });
    return send.apply(this, arguments);
  };
})();
