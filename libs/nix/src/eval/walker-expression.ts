// FC's built-in job walker, used when nix-eval-jobs is not on PATH. Two modes share one expression:
// - fast (the common case): one nix-instantiate --eval --strict --json prints a tree mirroring the
//   jobset ({ s = { name = node; } }, a node being { j = job } | { f = true } | { s = ... } | null),
//   with no per-job trace: tracing cost as much as the whole walk. A job that fails in a way
//   builtins.tryEval catches (throw, assert) is { f = true }; an error tryEval cannot catch (a missing
//   attribute, a type error) ends the process, and the caller walks again in careful mode.
// - careful: each job's record is streamed as a trace line ("FCJOB <json>") and each attribute is
//   announced first ("FCBEGIN <json name>"), so a crash names the job that broke it.
// A job record holds only what differs from the defaults (see job-record.ts), to keep the walk cheap.
export const WALKER_EXPRESSION = `# FC's built-in job walker (used when nix-eval-jobs is not on PATH).
# Fast mode prints the jobset's tree of job records; careful mode streams one trace line per
# visited attribute ("FCBEGIN <json name>") and per job ("FCJOB <json>"), so a crash of the whole
# process still names the job that broke it.
{ fcControl, fcNixInputs ? { }, ... }:
let
  inherit (builtins)
    attrNames concatMap concatStringsSep deepSeq elem filter fromJSON functionArgs getAttr
    intersectAttrs isAttrs isBool isFunction isInt isList isString length listToAttrs map
    mapAttrs seq toJSON trace tryEval;

  control = fromJSON fcControl;
  toSet = names: listToAttrs (map (n: { name = n; value = true; }) names);
  skip = toSet control.skip;
  only = if control.only == null then null else toSet control.only;
  # Prefixes of the \`only\` names, so the walk enters just the sets that lead to them.
  onlyPrefixes = if control.only == null then null else toSet (concatMap prefixesOf control.only);
  prefixesOf = name:
    let parts = builtins.filter isString (builtins.split "\\\\." name);
    in builtins.genList (i: concatStringsSep "." (builtins.genList (j: builtins.elemAt parts j) (i + 1))) (length parts);
  attempt = if control.try then tryEval else (x: { success = true; value = x; });

  # A checkout copied into the store without the version control's own files.
  sourceWithout = exclude: p: builtins.path {
    path = p;
    name = "source";
    filter = path: type: !(elem (baseNameOf path) exclude);
  };
  source = sourceWithout [ ".git" ];
  mkInput = name: i:
    if i.type == "git" then {
      outPath = sourceWithout (if i.deep or false then [ ] else [ ".git" ]) i.path;
      inputType = "git";
      uri = i.uri;
      inherit (i) rev revCount shortRev;
      gitTag = i.gitTag or i.shortRev;
    }
    else if i.type == "path" then { outPath = source i.path; inputType = "path"; uri = i.uri; }
    else if i.type == "checkout" then { outPath = sourceWithout i.exclude i.path; } // i.attrs
    else if i.type == "file" then { outPath = builtins.path { path = i.path; name = baseNameOf i.path; }; } // i.attrs
    else if i.type == "build" then
      { outPath = builtins.storePath i.storePath; } // i.attrs
      // (if i.attrs ? drvPath then { drvPath = builtins.storePath i.attrs.drvPath; } else { })
    else if i.type == "eval" then mapAttrs (n: builtins.storePath) i.jobs
    else i.value;
  inputs = mapAttrs mkInput control.inputs // fcNixInputs;

  # As nix-eval-jobs (Nix's autoCallFunction), every attribute whose value is a function with formals
  # is called: with the inputs it names (all of them when it has \`...\`), and Nix's error for an
  # argument without a value. A function without formals (\`x: ...\`) is not called, and not a job.
  xmlOf = f: builtins.toXML f;
  hasFormals = f: functionArgs f != { } || builtins.match ".*<attrspat.*" (xmlOf f) != null;
  autoCall = f:
    let
      args = functionArgs f;
      missing = filter (n: !args.\${n} && !(inputs ? \${n})) (attrNames args);
    in
    if missing != [ ] then
      throw ("cannot evaluate a function that has an argument without a value ('\${builtins.head missing}')\n\n"
        + "Nix attempted to evaluate a function as a top level expression; in\n"
        + "this case it must have its arguments supplied either by default\n"
        + "values, or passed explicitly with '--arg' or '--argstr'. See\n"
        + "https://nixos.org/manual/nix/stable/#ss-functions.")
    else f (if builtins.match ".*<attrspat ellipsis.*" (xmlOf f) != null then inputs else intersectAttrs args inputs);
  called = v: withCalls (if isFunction v && hasFormals v then autoCall v else v);
  withCalls = v: if isAttrs v && !(isDerivation v) then mapAttrs (n: called) v else v;

  root = withCalls (
    if control.flake != null then
      let
        outputs = (builtins.getFlake control.flake).outputs;
        attrName = concatStringsSep "." control.flakeAttr;
        step = set: name:
          if isAttrs set && set ? \${name} then set.\${name}
          else abort "nix_expression \${attrName}: the flake has no output attribute \${attrName}";
      in
      if (control.flakeAttr or null) == null then outputs.hydraJobs or outputs.checks
      else builtins.foldl' step outputs control.flakeAttr
    else
      let
        f = import (source control.src + "/\${control.file}");
        args = functionArgs f;
      in
      if isFunction f then f (if args == { } then inputs else intersectAttrs args inputs) else f
  );

  # Hydra's meta conventions; the caller joins lists and parses integers given as strings.
  strOrNull = v: if isString v then v else null;
  intOrNull = v: if isInt v || isString v then v else null;
  metaStrings = v: sub:
    if isString v then [ v ]
    else if isList v then concatMap (x: metaStrings x sub) v
    else if isAttrs v && v ? \${sub} then [ v.\${sub} ]
    else [ ];

  constituentOf = c:
    if isAttrs c && (c.type or null) == "derivation" then { drvPath = c.drvPath; }
    else if isString c then { name = c; }
    else null;

  # A job's record, compact (the fast walk prints one per job; see walker-record.ts): p = drv path,
  # s = system, o = the out path, or every output's path by name; m = [ description homepage
  # licenses maintainers schedulingPriority timeout maxSilent isHydraChannel ] when it has meta;
  # f = required system features; a = [ globConstituents constituents ] for an aggregate.
  jobInfo = drv:
    let
      names = drv.outputs or [ "out" ];
      meta = drv.meta or null;
    in
    {
      p = drv.drvPath;
      s = drv.system;
      o = if names == [ "out" ] then drv.outPath
        else listToAttrs (map (o: { name = o; value = drv.\${o}.outPath; }) names);
    }
    // (if isAttrs meta then {
      m = [
        (strOrNull (meta.description or null))
        (strOrNull (meta.homepage or null))
        (metaStrings (meta.license or null) "shortName")
        (metaStrings (meta.maintainers or null) "email")
        (intOrNull (meta.schedulingPriority or null))
        (intOrNull (meta.timeout or null))
        (intOrNull (meta.maxSilent or null))
        ((meta.isHydraChannel or false) == true)
      ];
    } else { })
    // (if drv ? requiredSystemFeatures then {
      f = let f = drv.requiredSystemFeatures; in if isList f then f else [ ];
    } else { })
    // (if (drv._hydraAggregate or false) == true then {
      a = [
        ((drv._hydraGlobConstituents or false) == true)
        (filter (c: c != null) (map constituentOf (drv.constituents or [ ])))
      ];
    } else { });

  isDerivation = v: isAttrs v && (v.type or null) == "derivation";

  # Hydra walks every nested attribute set (nix-eval-jobs --force-recurse); a set says
  # \`recurseForDerivations = false\` to stay out. Names with dots or spaces are not jobs.
  entered = v: let r = attempt (v.recurseForDerivations or true); in !r.success || r.value != false;
  childNames = v:
    filter (n: builtins.match ".*[. ].*" n == null && n != "recurseForDerivations") (attrNames v);

  # Fast mode: the tree, built with mapAttrs (no per-job name strings, lists or traces).
  # The root is never caught: a jobset that cannot be evaluated as a whole fails the evaluation with
  # Nix's message, as hydra-eval-jobset does, rather than looking like an empty jobset.
  node = top: value:
    let forced = if top then { success = true; value = value; } else tryEval value; in
    if !forced.success then { f = true; }
    else
      let v = forced.value; in
      if isDerivation v then
        let info = tryEval (let i = jobInfo v; in deepSeq i i); in
        if info.success then { j = info.value; } else { f = true; }
      else if isAttrs v && (top || entered v) then { s = level v; }
      else null;
  level = v:
    mapAttrs (n: node false)
      (removeAttrs v ([ "recurseForDerivations" ] ++ filter (n: builtins.match ".*[. ].*" n != null) (attrNames v)));

  # Careful mode: a list walk that traces every attribute and job as it goes.
  emit = json: let line = trace "FCJOB \${json}" json; in seq line [ line ];
  failed = name: emit (toJSON { attr = name; failed = true; });

  wanted = name:
    !(skip ? \${name}) && (only == null || onlyPrefixes ? \${name} || name == "");

  visit = path: value:
    let name = concatStringsSep "." path; in
    if !(wanted name) then [ ]
    else (if control.careful then trace "FCBEGIN \${toJSON name}" else (x: x)) (
      let forced = if path == [ ] then { success = true; value = value; } else attempt value; in
      if !forced.success then failed name
      else
        let v = forced.value; in
        if isDerivation v then
          let info = attempt (toJSON ({ attr = name; } // jobInfo v)); in
          if info.success then emit info.value else failed name
        else if isAttrs v && (path == [ ] || entered v) then
          concatMap (n: visit (path ++ [ n ]) v.\${n}) (childNames v)
        else [ ]
    );
in
# "root" mode: the jobset itself, for nix-eval-jobs to walk.
if control.root or false then root else if control.fast then node true root else length (visit [ ] root)
`;
