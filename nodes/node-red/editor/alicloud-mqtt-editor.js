/**
 * The editor side of the package's Node-RED nodes, shared by every dialog: Node-RED serves it from
 * the package's resources/ and loads it before the node definitions that name it. The limits are
 * written in at build time from the runtime's own constants (nodes/node-red/editor-limits.ts).
 */
(function () {
  'use strict';
  var LIMITS = /* EDITOR_LIMITS */ {};
  var DEFAULTS = /* EDITOR_DEFAULTS */ {};
  /** `${NAME}`: a value Node-RED takes from the environment when the flow starts. */
  var ENV_REFERENCE = /^\$\{\w+\}$/;

  function isBlank(v) {
    return v === '' || v === undefined || v === null;
  }

  function withinLimit(limit, v) {
    var n = Number(v);
    if (typeof v === 'string' && v.trim() === '') return false;
    if (!isFinite(n)) return false;
    if (limit.zero && n === 0) return true;
    if (limit.integer && Math.floor(n) !== n) return false;
    if (limit.min !== undefined && n < limit.min) return false;
    if (limit.max !== undefined && n > limit.max) return false;
    if (limit.above !== undefined && n <= limit.above) return false;
    return true;
  }

  window.AlicloudMqttEditor = {
    LIMITS: LIMITS,
    DEFAULTS: DEFAULTS,
    isEnvReference: function (v) {
      return typeof v === 'string' && ENV_REFERENCE.test(v);
    },
    /**
     * A validator for a number setting: blank (the runtime's default), an `${ENV}` reference, or
     * a number within the named limit. `applies(node)`, if given, skips settings the node's
     * other choices leave unused.
     */
    number: function (name, applies) {
      var limit = LIMITS[name];
      if (!limit) throw new Error('alicloud-mqtt-editor: no limit named ' + name);
      return function (v) {
        if (applies && !applies(this)) return true;
        return isBlank(v) || ENV_REFERENCE.test(v) || withinLimit(limit, v);
      };
    },
    /** A validator for a text setting: blank, an `${ENV}` reference, or matching `pattern`. */
    text: function (pattern, applies) {
      return function (v) {
        if (applies && !applies(this)) return true;
        return isBlank(v) || ENV_REFERENCE.test(v) || pattern.test(String(v));
      };
    },
    /**
     * Settings saved by older versions, shown under today's names (the runtime reads them the
     * same way: nodes/node-red/migrations.ts).
     */
    migrate: function (node, prefix) {
      var rename = { attempts: 'maxAttempts', maxQps: 'maxRequestsPerSecond' };
      Object.keys(rename).forEach(function (old) {
        var field = $('#' + prefix + rename[old]);
        if (isBlank(node[rename[old]]) && !isBlank(node[old]) && field.length) field.val(node[old]);
      });
      // A config node saved by 0.1 has no Authentication: there, a stored STS token meant STS.
      if (
        node.type === 'alicloud-mqtt-config' &&
        node.authentication === undefined &&
        node.credentials &&
        node.credentials.has_securityToken
      ) {
        $('#' + prefix + 'authentication').val('stsToken');
      }
    },
    /**
     * What every dialog does first: a property the node does not have (a flow saved by an older
     * version, a hand-written or imported one) shows its default from registerType, the value
     * the runtime uses for it, never a blank field; then old names are migrated.
     */
    prepare: function (node, prefix) {
      Object.keys(node._def.defaults).forEach(function (key) {
        var value = node._def.defaults[key].value;
        var field = $('#' + prefix + key);
        if (node[key] !== undefined || value === undefined || value === '' || key === 'outputs' || !field.length)
          return;
        if (field.is(':checkbox')) field.prop('checked', value === true);
        else field.val(String(value));
      });
      this.migrate(node, prefix);
    },
  };
})();
