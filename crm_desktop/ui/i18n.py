"""Languages: Qt Linguist translations (.qm) and translated service messages.

Every user-visible string goes through ``tr()`` (or a widget's ``self.tr()``). Messages that
the Qt-free services raise are marked with QT_TRANSLATE_NOOP and translated here.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.paths import resource_path

#: Qt's own Chinese catalogue (qtbase_zh_CN.qm) lacks these labels of its file dialog, which then
#: reads half in English; ours has them (our translator is installed last, so it is asked first).
QT_CATALOGUE_GAPS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
)

LANGUAGES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}
# pyside6-lupdate files bare tr("…") calls (outside a class) under the empty context.
DEFAULT_CONTEXT = ""

_installed: list[QTranslator] = []
_current = "en"


def tr(text: str, context: str = DEFAULT_CONTEXT) -> str:
    """Translate a UI string of the shared context (module-level code, non-widgets)."""
    return QCoreApplication.translate(context, text)


def system_language() -> str:
    """zh_CN for a Chinese system locale, English otherwise."""
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def current_language() -> str:
    return _current


def install_language(language: str) -> bool:
    """Load the app's and Qt's own translations for ``language``; English needs none.

    Qt's own (qtbase_*.qm from PySide6's translations folder, ``QLibraryInfo.TranslationsPath``)
    translate the standard dialogs and buttons (file dialogs, Yes/No, Save/Cancel); the few
    strings it lacks are ours (``QT_CATALOGUE_GAPS``). Returns False when our .qm file is missing
    (the UI then stays in English).
    """
    global _current
    app = QCoreApplication.instance()
    assert app is not None, "create the QApplication first"
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _current = language if language in LANGUAGES else "en"
    if _current == "en":
        return True
    ours = QTranslator()
    if not ours.load(str(resource_path("i18n", f"crm_desktop_{_current}.qm"))):
        _current = "en"
        return False
    qt_base = QTranslator()
    if qt_base.load(f"qtbase_{_current}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_base)
        _installed.append(qt_base)
    app.installTranslator(ours)
    _installed.append(ours)
    return True


def service_text(context: str, template: str, params: dict[str, object] | None = None) -> str:
    text = QCoreApplication.translate(context, template)
    return text.format(**params) if params else text


def error_text(exc: BaseException) -> str:
    """A user-readable message for any exception, translated where the service marked it."""
    from crm_desktop.services.errors import CONTEXT, ServiceError, ValidationError

    if isinstance(exc, ValidationError):
        return "\n".join(
            tr("{field}: {message}").format(field=field_label(name), message=service_text(CONTEXT, msg))
            for name, msg in exc.field_errors.items()
        )
    if isinstance(exc, ServiceError):
        from crm_desktop.services.org.permissions import (
            ACTION_LABELS,
            ENTITY_LABELS,
            MODULES,
        )

        params = dict(exc.params)
        if "entity" in params and params["entity"] in ENTITY_LABELS:
            params["entity"] = service_text("entities", ENTITY_LABELS[str(params["entity"])])
        if "module" in params and params["module"] in MODULES:
            params["module"] = service_text("permissions", MODULES[str(params["module"])].label)
        if "action" in params and params["action"] in ACTION_LABELS:
            params["action"] = service_text("permissions", ACTION_LABELS[str(params["action"])]).lower()
        return service_text(CONTEXT, exc.template, params)
    return tr("Something went wrong: {error}").format(error=str(exc) or type(exc).__name__)


_FIELD_LABELS: dict[str, str] = {}


def field_label(name: str) -> str:
    """Label of a field name used in validation messages (registered by the forms)."""
    return QCoreApplication.translate("fields", _FIELD_LABELS.get(name, name))


def register_field_labels(labels: dict[str, str]) -> None:
    _FIELD_LABELS.update(labels)
