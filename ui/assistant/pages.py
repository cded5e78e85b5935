"""The pages of the Sozialraum-Assistent (Qt widgets only: what they collect goes into ``plan``'s choices)."""

from qgis.core import QgsApplication, QgsFieldProxyModel, QgsProject
from qgis.gui import QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ...sozialraum.adapters import compat
from ...sozialraum.adapters.layers import guess_in_fields
from ...sozialraum.core.errors import de_en, format_number
from ...sozialraum.core.field_guess import CAPACITY, NAME, POPULATION, TARGET_GROUP_NAMES, guess_field, guess_id_field
from ..safety import guarded
from .plan import (
    AGGREGATIONS,
    ALLOCATION,
    CLASSIFICATIONS,
    COVERAGE,
    DISTRICT_INDEX,
    GEOMETRIC_NORMALIZATIONS,
    HOTSPOTS,
    NORMALIZATIONS,
    PROVIDER,
    REPORT,
    STATUS_DYNAMIC,
    IndicatorChoice,
    ServiceChoice,
    WizardChoices,
    data_date_guess,
    default_factors,
    earlier_field,
    explanations,
    n_classes,
    plan,
    problems,
    suggest_label,
)
from .runner import algorithm_available


def _wrapped(text):
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _hint_label():
    """A label for what stops the user from going on (empty when all is well)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #a63603;")
    return label


def choice_labels(algorithm_name, parameter):
    """``{key: label}`` of an enum parameter of ``sozialraum:<algorithm_name>`` (options read "label [key]")."""
    # a fresh instance, so the labels are in the current language
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(PROVIDER + ":" + algorithm_name)
    labels = {}
    if algorithm is not None:
        for option in algorithm.parameterDefinition(parameter).options():
            label, _, key = option.rpartition(" [")
            labels[key.rstrip("]")] = label
    return labels


def choice_combo(algorithm_name, parameter, keys=None, default=None):
    """A combo box of an enum parameter's options with the algorithm's own labels; item data = the key.

    ``keys`` limits and orders the options (default: all of the algorithm's); ``default`` preselects one.
    """
    labels = choice_labels(algorithm_name, parameter)
    combo = QComboBox()
    for key in keys or list(labels):
        combo.addItem(labels.get(key, key), key)
    if default is not None:
        combo.setCurrentIndex(max(0, combo.findData(default)))
    return combo


def _field_combo(numeric=False, optional=False):
    combo = QgsFieldComboBox()
    if numeric:
        combo.setFilters(QgsFieldProxyModel.Filter.Numeric)
    combo.setAllowEmptyFieldName(optional)
    return combo


def _layer_combo(layer_filter, optional=False):
    combo = QgsMapLayerComboBox()
    combo.setFilters(layer_filter)
    combo.setAllowEmptyLayer(optional)
    return combo


class _Page(QWizardPage):
    """A page whose ``problem()`` text (empty = none) is shown as a hint and keeps the user from going on."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.hint = _hint_label()

    def problem(self):
        return ""

    @guarded
    def _changed(self, *_):
        self.hint.setText(self.problem())
        self.completeChanged.emit()

    @guarded(fallback=False)
    def isComplete(self):  # noqa: N802 (Qt API)
        return not self.problem()

    @guarded(fallback=False)
    def validatePage(self):  # noqa: N802 (Qt API): also for QWizard.next() called from code
        return self.isComplete()


class DistrictsPage(_Page):
    """1. Quartiere: district layer, ID, name, population and minimum population."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Quartiere", "Districts"))
        self.setSubTitle(de_en("Welche Gebiete sollen verglichen werden?", "Which areas are to be compared?"))
        self.layer = _layer_combo(compat.LAYER_POLYGON)
        self.id_field = _field_combo()
        self.name_field = _field_combo(optional=True)
        self.population_field = _field_combo(numeric=True, optional=True)
        self.min_population = QSpinBox()
        self.min_population.setRange(0, 1000000)
        self.min_population.setValue(300)
        self.min_population.setSuffix(de_en(" Einwohner", " residents"))
        self.data_date = QLineEdit()
        self.data_date.setPlaceholderText(de_en("z. B. 31.12.2024", "e.g. 2024-12-31"))

        form = QFormLayout()
        form.addRow(de_en("Quartiere (Layer)", "Districts (layer)"), self.layer)
        form.addRow(de_en("Kennung (ID-Feld)", "District ID field"), self.id_field)
        form.addRow(de_en("Name (optional)", "Name (optional)"), self.name_field)
        form.addRow(de_en("Einwohnerfeld", "Population field"), self.population_field)
        form.addRow(de_en("Mindesteinwohnerzahl", "Minimum population"), self.min_population)
        form.addRow(de_en("Datenstand", "Data as of"), self.data_date)
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(de_en(
            "Wählen Sie den Layer mit den Quartieren (Polygone) und das Feld, das jedes Quartier eindeutig "
            "kennzeichnet. Quartiere mit weniger Einwohnern als der Mindestzahl werden nicht bewertet, weil "
            "Anteile dort vom Zufall bestimmt sind.",
            "Choose the layer with the districts (polygons) and the field that identifies each district. "
            "Districts with fewer residents than the minimum are not rated, because shares there are driven by "
            "chance.")))
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.hint)

        self.layer.layerChanged.connect(self._layer_changed)
        self.id_field.fieldChanged.connect(self._changed)
        self.population_field.fieldChanged.connect(self._changed)
        self._layer_changed(self.layer.currentLayer())

    @guarded
    def _layer_changed(self, layer):
        for combo in (self.id_field, self.name_field, self.population_field):
            combo.setLayer(layer)
        if layer is not None:
            names = layer.fields().names()
            self.id_field.setField(guess_id_field(names, any_field=True))
            self.name_field.setField(guess_in_fields(NAME, layer.fields()))
            self.population_field.setField(guess_in_fields(POPULATION, layer.fields()))
            self.data_date.setText(data_date_guess(names))
        self._changed()

    @guarded
    def _changed(self, *_):
        self.min_population.setEnabled(bool(self.population_field.currentField()))
        super()._changed()

    def problem(self):
        """What is missing before the user can go on ("" when nothing)."""
        if self.layer.currentLayer() is None:
            return de_en("Laden Sie zuerst einen Polygon-Layer mit den Quartieren in das Projekt.",
                         "First load a polygon layer with the districts into the project.")
        if not self.id_field.currentField():
            return de_en("Wählen Sie das ID-Feld der Quartiere.", "Choose the districts' ID field.")
        return ""


class IndicatorsPage(_Page):
    """2. Indikatoren: numeric fields with a check box, a 'higher = less need' toggle and a weight."""

    COLUMN_FIELD, COLUMN_REVERSE, COLUMN_WEIGHT, COLUMN_LABEL = range(4)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Indikatoren", "Indicators"))
        self.setSubTitle(de_en("Welche Kennzahlen beschreiben den Bedarf?", "Which figures describe the need?"))
        self._layer_id = None
        self.missing = []  # indicators of a loaded analysis the layer does not have
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(de_en("Felder filtern …", "Filter fields …"))
        self.filter.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([de_en("Indikator", "Indicator"),
                                              de_en("höher = weniger Bedarf", "higher = less need"),
                                              de_en("Gewicht", "Weight"),
                                              de_en("Bezeichnung im Bericht", "Name in the report")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.COLUMN_FIELD, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.COLUMN_REVERSE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMN_WEIGHT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMN_LABEL, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)

        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(de_en(
            "Indikatoren sind Kennzahlen je Quartier, am besten Anteile in % (z. B. Arbeitslose je 100 Einwohner "
            "von 15 bis 64). Wählen Sie mindestens zwei. Meist heißt ein höherer Wert mehr Bedarf; kreuzen Sie "
            "„höher = weniger Bedarf“ an, wenn es umgekehrt ist (z. B. Wohnfläche je Einwohner). Mit dem Gewicht "
            "zählt ein Indikator doppelt (2) oder halb (0,5).",
            "Indicators are figures per district, best as shares in % (e.g. unemployed per 100 residents aged "
            "15 to 64). Choose at least two. Mostly a higher value means more need; tick “higher = less need” "
            "when it is the other way round (e.g. living space per resident). A weight of 2 makes an indicator "
            "count double, 0.5 half.")))
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        self.filter.textChanged.connect(self._filter)
        self.table.itemChanged.connect(self._changed)

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        layer = self.wizard().districts_page.layer.currentLayer()
        if layer is not None and layer.id() == self._layer_id:
            self._changed()
            return
        self._layer_id = layer.id() if layer is not None else None
        keys = set(layer.primaryKeyAttributes()) if layer is not None else set()
        fields = [f for n, f in enumerate(layer.fields()) if f.isNumeric() and n not in keys] if layer else []
        self.table.blockSignals(True)
        self.table.setRowCount(len(fields))
        for row, layer_field in enumerate(fields):
            item = QTableWidgetItem(layer_field.displayName())
            item.setData(Qt.ItemDataRole.UserRole, layer_field.name())
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if layer_field.alias():
                item.setToolTip(layer_field.name())
            self.table.setItem(row, self.COLUMN_FIELD, item)
            reverse = QTableWidgetItem()
            reverse.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            reverse.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(row, self.COLUMN_REVERSE, reverse)
            weight = QDoubleSpinBox()
            weight.setRange(0.1, 10.0)
            weight.setSingleStep(0.5)
            weight.setDecimals(1)
            weight.setValue(1.0)
            weight.setFrame(False)
            self.table.setCellWidget(row, self.COLUMN_WEIGHT, weight)
            label = QTableWidgetItem(suggest_label(layer_field.name(), layer_field.alias()))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable)
            label.setToolTip(de_en("So heißt der Indikator im Bericht; zum Ändern doppelklicken.",
                                   "The indicator's name in the report; double-click to change it."))
            self.table.setItem(row, self.COLUMN_LABEL, label)
        self.table.blockSignals(False)
        self.missing = []
        self.wizard().apply_indicators()
        self._filter(self.filter.text())
        self._changed()

    # -- programmatic access (also used by the tests) --------------------------------------------------
    def _row(self, name):
        for row in range(self.table.rowCount()):
            if self.table.item(row, self.COLUMN_FIELD).data(Qt.ItemDataRole.UserRole) == name:
                return row
        raise KeyError(name)

    def set_indicator(self, name, checked=True, reverse=False, weight=1.0, label=None):
        """Tick (or untick) indicator ``name`` with its direction, weight and (when given) its report name."""
        row = self._row(name)
        state = {True: Qt.CheckState.Checked, False: Qt.CheckState.Unchecked}
        self.table.item(row, self.COLUMN_REVERSE).setCheckState(state[bool(reverse)])
        self.table.cellWidget(row, self.COLUMN_WEIGHT).setValue(weight)
        if label is not None:
            self.table.item(row, self.COLUMN_LABEL).setText(label)
        self.table.item(row, self.COLUMN_FIELD).setCheckState(state[bool(checked)])

    def indicators(self):
        """The ticked indicators, in table order."""
        chosen = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.COLUMN_FIELD)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(IndicatorChoice(
                    field=item.data(Qt.ItemDataRole.UserRole),
                    reverse=self.table.item(row, self.COLUMN_REVERSE).checkState() == Qt.CheckState.Checked,
                    weight=round(self.table.cellWidget(row, self.COLUMN_WEIGHT).value(), 1),
                    label=self.table.item(row, self.COLUMN_LABEL).text().strip()))
        return chosen

    @guarded
    def _filter(self, text):
        text = text.strip().lower()
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.COLUMN_FIELD)
            visible = (not text or text in item.text().lower() or item.checkState() == Qt.CheckState.Checked)
            self.table.setRowHidden(row, not visible)

    def problem(self):
        """What stops the user from going on ("" when nothing)."""
        if self.missing:
            return de_en("Die gespeicherte Analyse nennt Indikatoren, die der Layer nicht hat: {}. Wählen Sie die "
                         "passenden Felder.", "The saved analysis names indicators the layer lacks: {}. Choose the "
                         "matching fields.").format(", ".join(self.missing))
        chosen = [i.field for i in self.indicators()]
        id_field = self.wizard().districts_page.id_field.currentField() if self.wizard() else ""
        if id_field and id_field in chosen:
            return de_en("„{}“ ist das ID-Feld der Quartiere und kein Indikator. Nehmen Sie den Haken weg.",
                         "“{}” is the districts' ID field, not an indicator. Untick it.").format(id_field)
        if len(chosen) < 2:
            return de_en("Wählen Sie mindestens zwei Indikatoren (gewählt: {}).",
                         "Choose at least two indicators (chosen: {}).").format(len(chosen))
        return ""


class MethodPage(_Page):
    """3. Verfahren: Sozialindex (normalisation, aggregation, classes) or MSS, plus the index check."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Verfahren", "Method"))
        self.setSubTitle(de_en("Wie werden die Indikatoren zusammengefasst?", "How are the indicators combined?"))
        self._texts = explanations()
        self.social_index = QRadioButton(de_en("Sozialindex", "Social index (Sozialindex)"))
        self.mss = QRadioButton(de_en("Status-/Dynamik-Index (MSS)", "Status/dynamic index (MSS)"))
        self.social_index.setChecked(True)
        self._types = QButtonGroup(self)
        self._types.addButton(self.social_index)
        self._types.addButton(self.mss)

        self.normalization = choice_combo(DISTRICT_INDEX, "NORMALIZATION", NORMALIZATIONS)
        self.aggregation = choice_combo(DISTRICT_INDEX, "AGGREGATION", AGGREGATIONS)
        self.classification = choice_combo(DISTRICT_INDEX, "CLASSIFICATION", CLASSIFICATIONS)
        self.n_classes = QSpinBox()
        self.n_classes.setRange(2, 9)
        self.n_classes.setValue(5)
        self._explained = {}
        index_form = QFormLayout()
        index_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, combo in ((de_en("Normierung", "Normalisation"), self.normalization),
                             (de_en("Zusammenfassung", "Aggregation"), self.aggregation),
                             (de_en("Klassenbildung", "Classification"), self.classification)):
            explanation = _wrapped("")
            explanation.setStyleSheet("color: #505050;")
            self._explained[combo] = explanation
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(combo)
            box.addWidget(explanation)
            index_form.addRow(label, box)
            combo.currentIndexChanged.connect(self._changed)
        index_form.addRow(de_en("Anzahl Klassen", "Number of classes"), self.n_classes)
        index_options = QWidget()
        index_options.setLayout(index_form)

        self.earlier_form = QFormLayout()
        self.earlier = {}
        self.pending_earlier = {}
        mss_options = QWidget()
        mss_layout = QVBoxLayout(mss_options)
        mss_layout.addWidget(_wrapped(de_en(
            "Status = die gewählten Indikatoren (z-Werte, Summe, vier Klassen). Dynamik = ihre Veränderung in "
            "zwei Jahren: wählen Sie je Indikator das Feld von vor zwei Jahren (optional). Gewichte und "
            "„höher = weniger Bedarf“ gelten hier nicht.",
            "Status = the chosen indicators (z-scores, sum, four classes). Dynamics = their change over two "
            "years: choose for each indicator the field of two years earlier (optional). Weights and “higher = "
            "less need” do not apply here.")))
        mss_layout.addSpacing(6)
        mss_layout.addLayout(self.earlier_form)
        mss_layout.addStretch(1)

        self.options = QStackedWidget()
        self.options.addWidget(index_options)
        self.options.addWidget(mss_options)
        self.diagnostics = QCheckBox(de_en("Indexprüfung (Robustheit) mitrechnen", "Also run the index check "
                                                                                   "(robustness)"))
        self.diagnostics.setToolTip(de_en(
            "Prüft, wie eng die Indikatoren zusammenhängen, und wie stark sich die Rangfolge ändert, wenn die "
            "Gewichte zufällig variieren.",
            "Checks how closely the indicators are related and how much the ranking changes when the weights "
            "vary at random."))

        layout = QVBoxLayout(self)
        layout.addWidget(self.social_index)
        layout.addWidget(_indented(de_en(
            "Ein Wert je Quartier aus allen Indikatoren, frei gewichtet; Rang 1 = größter Bedarf.",
            "One value per district from all indicators, freely weighted; rank 1 = greatest need.")))
        layout.addWidget(self.mss)
        layout.addWidget(_indented(de_en(
            "Das Verfahren des Berliner Monitorings Soziale Stadtentwicklung: Lage (Status) und Entwicklung "
            "(Dynamik) getrennt, zusammen in zwölf Gruppen.",
            "The method of Berlin's social urban development monitoring: situation (status) and trend "
            "(dynamics) kept apart, together in twelve groups.")))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.options)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.diagnostics)
        layout.addWidget(self.hint)
        self.social_index.toggled.connect(self._changed)
        self._changed()

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        """One 'two years earlier' field per chosen indicator, guessed from the year in its name."""
        wizard = self.wizard()
        layer = wizard.districts_page.layer.currentLayer()
        previous = {name: combo.currentField() for name, combo in self.earlier.items()}
        previous.update(self.pending_earlier)  # from a loaded analysis
        self.pending_earlier = {}
        while self.earlier_form.rowCount():
            self.earlier_form.removeRow(0)
        self.earlier = {}
        self.earlier_form.addRow(QLabel("<b>{}</b>".format(de_en("Indikator", "Indicator"))),
                                 QLabel("<b>{}</b>".format(de_en("Feld von vor zwei Jahren", "Field of two years "
                                                                                              "earlier"))))
        names = layer.fields().names() if layer is not None else []
        for indicator in wizard.indicators_page.indicators():
            combo = _field_combo(numeric=True, optional=True)
            combo.setLayer(layer)
            combo.setField(previous.get(indicator.field, earlier_field(indicator.field, names)))
            self.earlier[indicator.field] = combo
            self.earlier_form.addRow(indicator.field, combo)
        self._changed()

    def set_index_type(self, index_type):
        (self.mss if index_type == STATUS_DYNAMIC else self.social_index).setChecked(True)

    def index_type(self):
        return STATUS_DYNAMIC if self.mss.isChecked() else DISTRICT_INDEX

    @staticmethod
    def set_choice(combo, key):
        combo.setCurrentIndex(combo.findData(key))

    @guarded
    def _changed(self, *_):
        self.options.setCurrentIndex(1 if self.mss.isChecked() else 0)
        for combo, label in self._explained.items():
            label.setText(self._texts.get(combo.currentData(), ""))
        self.n_classes.setEnabled(self.classification.currentData() != "stddev")
        super()._changed()

    def problem(self):
        if (not self.mss.isChecked() and self.aggregation.currentData() == "geometric"
                and self.normalization.currentData() not in GEOMETRIC_NORMALIZATIONS):
            return de_en("Das geometrische Mittel braucht Werte von 0 bis 100: wählen Sie als Normierung Min-Max "
                         "oder Perzentilrang.",
                         "The geometric mean needs values from 0 to 100: choose min-max or percentile rank as "
                         "normalisation.")
        return ""


def _indented(text):
    label = _wrapped(text)
    label.setContentsMargins(24, 0, 0, 6)
    return label


class _OptionalStepPage(_Page):
    """A page for an optional step, usable only when its algorithm is registered."""

    ALGORITHM = ""

    def __init__(self, title, subtitle, group_title, parent=None):
        super().__init__(parent)
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.available = algorithm_available(self.ALGORITHM)
        self.group = QGroupBox(group_title)
        self.group.setCheckable(True)
        self.group.setChecked(False)
        self.group.setEnabled(self.available)
        self.form = QFormLayout(self.group)
        layout = QVBoxLayout(self)
        self.intro = _wrapped("")
        layout.addWidget(self.intro)
        if not self.available:
            layout.addWidget(_wrapped(de_en(
                "Dieser Schritt ist in dieser Version noch nicht verfügbar (Werkzeug {} fehlt).",
                "This step is not available in this version yet (tool {} is missing).")
                .format(PROVIDER + ":" + self.ALGORITHM)))
        layout.addWidget(self.group)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        self.group.toggled.connect(self._changed)

    def wanted(self):
        return self.available and self.group.isChecked()


class ServiceForm(QWidget):
    """The settings of one service type (one tab of the coverage page)."""

    changed = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText(de_en("z. B. Kitas", "e.g. Day care"))
        self.services = _layer_combo(compat.LAYER_POINT)
        self.capacity = _field_combo(numeric=True, optional=True)
        self.service_name = _field_combo(optional=True)
        self.target_population = _field_combo(numeric=True, optional=True)
        self.demand = _layer_combo(compat.LAYER_POINT, optional=True)
        self.demand_field = _field_combo(numeric=True, optional=True)
        self.network = _layer_combo(compat.LAYER_LINE, optional=True)
        self.distances = QLineEdit("300, 500, 1000")
        self.method = choice_combo(COVERAGE, "METHOD", default="2sfca")
        self.norm = QDoubleSpinBox()
        self.norm.setRange(0.0, 10.0)
        self.norm.setDecimals(2)
        self.norm.setSingleStep(0.05)
        self.norm.setSpecialValueText(de_en("Stadtmittel", "town mean"))
        form = QFormLayout(self)
        form.addRow(de_en("Name der Einrichtungsart", "Name of the service type"), self.name)
        form.addRow(de_en("Einrichtungen", "Services"), self.services)
        form.addRow(de_en("Plätze je Einrichtung", "Places per service"), self.capacity)
        form.addRow(de_en("Name der Einrichtung (optional)", "Name of the service (optional)"), self.service_name)
        form.addRow(de_en("Nachfragepunkte", "Demand points"), self.demand)
        form.addRow(de_en("Zielgruppe je Punkt", "Target group per point"), self.demand_field)
        form.addRow(de_en("… oder Zielgruppe je Quartier", "… or target group per quarter"), self.target_population)
        form.addRow(de_en("Wegenetz (leer = Luftlinie)", "Path network (empty = straight line)"), self.network)
        form.addRow(de_en("Entfernungen in m", "Distances in m"), self.distances)
        form.addRow(de_en("Verfahren", "Method"), self.method)
        form.addRow(de_en("Richtwert: Plätze je Person", "Norm: places per person"), self.norm)
        self.services.layerChanged.connect(self._services_changed)
        self.demand.layerChanged.connect(self._demand_changed)
        self._services_changed(self.services.currentLayer())
        self._demand_changed(self.demand.currentLayer())
        for signal in (self.name.textChanged, self.services.layerChanged, self.demand.layerChanged,
                       self.distances.textChanged, self.demand_field.fieldChanged,
                       self.target_population.fieldChanged):
            signal.connect(self._emit)

    @guarded
    def _emit(self, *_):
        self.changed.emit()

    @guarded
    def _services_changed(self, layer):
        self.capacity.setLayer(layer)
        self.service_name.setLayer(layer)
        if layer is not None:
            self.capacity.setField(guess_in_fields(CAPACITY, layer.fields()))
            self.service_name.setField(guess_in_fields(NAME, layer.fields()))
            if not self.name.text().strip():
                self.name.setText(layer.name())

    @guarded
    def _demand_changed(self, layer):
        self.demand_field.setLayer(layer)
        self.demand_field.setEnabled(layer is not None)

    def set_districts(self, layer):
        self.target_population.setLayer(layer)

    def choice(self):
        """This tab as a :class:`ServiceChoice` (layers by id)."""
        demand = self.demand.currentLayer()
        network = self.network.currentLayer()
        services = self.services.currentLayer()
        return ServiceChoice(
            name=self.name.text().strip(), services=services.id() if services is not None else "",
            capacity_field=self.capacity.currentField(), service_name_field=self.service_name.currentField(),
            target_population_field=self.target_population.currentField(),
            demand=demand.id() if demand is not None else "",
            demand_field=self.demand_field.currentField() if demand is not None else "",
            network=network.id() if network is not None else "", distances=self.distances.text(),
            method=self.method.currentData(), norm=float(self.norm.value()))

    def set_choice(self, service, layer_of):
        """Show ``service``; ``layer_of`` finds the project layer of a layer id or source (or None)."""
        self.name.setText(service.name)
        for combo, reference in ((self.services, service.services), (self.demand, service.demand),
                                 (self.network, service.network)):
            combo.setLayer(layer_of(reference) if reference else None)
        self.capacity.setField(service.capacity_field)
        self.service_name.setField(service.service_name_field)
        self.target_population.setField(service.target_population_field)
        self.demand_field.setField(service.demand_field)
        self.distances.setText(service.distances)
        self.method.setCurrentIndex(max(0, self.method.findData(service.method)))
        self.norm.setValue(float(service.norm or 0.0))


class CoveragePage(_OptionalStepPage):
    """4. Versorgung (optional): one tab per service type (Kitas, care homes, ...) for servicecoverage."""

    ALGORITHM = COVERAGE

    def __init__(self, parent=None):
        super().__init__(de_en("Versorgung", "Service coverage"),
                         de_en("Optional: Wie gut erreichen die Menschen die Einrichtungen?",
                               "Optional: how well do people reach the services?"),
                         de_en("Versorgung berechnen", "Compute service coverage"), parent)
        self.intro.setText(de_en(
            "Misst je Quartier, wie viele Plätze (z. B. Kita-Plätze) die Zielgruppe in erreichbarer Entfernung "
            "hat – über das Wegenetz oder in Luftlinie. Die Zielgruppe kommt aus Nachfragepunkten (z. B. "
            "Adressen) oder, ohne sie, aus einem Feld der Quartiere. Für jede Einrichtungsart (Kitas, "
            "Pflegeheime, Jugendzentren …) ein Reiter.",
            "Measures per quarter how many places (e.g. day-care places) the target group has within reach – "
            "along the path network or as the crow flies. The target group comes from demand points (e.g. "
            "addresses) or, without them, from a field of the quarters. One tab per service type (day care, "
            "care homes, youth centres …)."))
        self.tabs = QTabWidget()
        self.add_button = QPushButton(de_en("Einrichtungsart hinzufügen", "Add a service type"))
        self.remove_button = QPushButton(de_en("Diese Einrichtungsart entfernen", "Remove this service type"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.form.addRow(self.tabs)
        self.form.addRow(buttons)
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button.clicked.connect(self._remove_clicked)
        self.add_service()

    def form_at(self, n):
        return self.tabs.widget(n)

    def add_service(self, service=None, layer_of=None):
        """A new tab (filled from ``service`` when given) and its form."""
        form = ServiceForm()
        wizard = self.wizard()
        if wizard is not None:
            form.set_districts(wizard.districts_page.layer.currentLayer())
        if service is not None:
            form.set_choice(service, layer_of or (lambda reference: None))
        self.tabs.addTab(form, form.name.text() or de_en("Einrichtungen", "Services"))
        form.changed.connect(self._changed)
        form.name.textChanged.connect(lambda text, form=form: self._rename(form, text))
        self.tabs.setCurrentWidget(form)
        self._changed()
        return form

    def clear_services(self):
        while self.tabs.count():
            form = self.tabs.widget(0)
            self.tabs.removeTab(0)
            form.deleteLater()

    @guarded
    def _rename(self, form, text):
        index = self.tabs.indexOf(form)
        if index >= 0:
            self.tabs.setTabText(index, text.strip() or de_en("Einrichtungen", "Services"))

    @guarded
    def _add_clicked(self, *_):
        self.add_service()

    @guarded
    def _remove_clicked(self, *_):
        if self.tabs.count() > 1:
            form = self.tabs.currentWidget()
            self.tabs.removeTab(self.tabs.currentIndex())
            form.deleteLater()
            self._changed()

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        layer = self.wizard().districts_page.layer.currentLayer()
        for n in range(self.tabs.count()):
            self.form_at(n).set_districts(layer)
        self._changed()

    def services(self):
        """The service types chosen on this page (empty when the step is not wanted)."""
        if not self.wanted():
            return []
        return [self.form_at(n).choice() for n in range(self.tabs.count())]

    def problem(self):
        found = problems(WizardChoices(services=self.services()))
        return found[0] if found else ""


class DecisionPage(_Page):
    """5. Entscheidung (optional): a budget distributed by need (``sozialraum:allocation``) and funding areas from
    clusters of need (``sozialraum:hotspots``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Mittel und Gebiete", "Funds and areas"))
        self.setSubTitle(de_en("Optional: Wohin sollen Geld und Programme gehen?",
                               "Optional: where should money and programmes go?"))
        self.allocation = QGroupBox(de_en("Budget nach Bedarf verteilen (statt Gießkanne)",
                                          "Distribute a budget by need (instead of the watering can)"))
        self.allocation.setCheckable(True)
        self.allocation.setChecked(False)
        self.allocation.setEnabled(algorithm_available(ALLOCATION))
        self.population = _field_combo(numeric=True, optional=True)
        self.budget = QDoubleSpinBox()
        self.budget.setRange(0.0, 1e12)
        self.budget.setDecimals(2)
        self.budget.setGroupSeparatorShown(True)
        self.budget.setValue(100000.0)
        self.unit = QComboBox()
        self.unit.addItem(de_en("Euro und Cent (0,01)", "euros and cents (0.01)"), 0.01)
        self.unit.addItem(de_en("ganze Einheiten, z. B. Stellen (1)", "whole units, e.g. positions (1)"), 1.0)
        self.method = choice_combo(ALLOCATION, "METHOD", default="tiers")
        self.factors = QLineEdit()
        self.base_share = QSpinBox()
        self.base_share.setRange(0, 100)
        self.base_share.setSuffix(" %")
        form = QFormLayout(self.allocation)
        form.addRow(de_en("Zielgruppe je Quartier", "Target group per quarter"), self.population)
        form.addRow(de_en("Budget", "Budget"), self.budget)
        form.addRow(de_en("Kleinster Betrag", "Smallest amount"), self.unit)
        form.addRow(de_en("Verfahren", "Method"), self.method)
        form.addRow(de_en("Faktoren je Klasse (niedrigster Bedarf zuerst)", "Factors per class (lowest need first)"),
                    self.factors)
        form.addRow(de_en("Sockel gleich je Person", "Base equal per person"), self.base_share)
        self.hotspots = QGroupBox(de_en("Gebietskulisse aus Häufungen von Bedarf vorschlagen",
                                        "Propose funding areas from clusters of need"))
        self.hotspots.setCheckable(True)
        self.hotspots.setChecked(False)
        self.hotspots.setEnabled(algorithm_available(HOTSPOTS))
        QVBoxLayout(self.hotspots).addWidget(_wrapped(de_en(
            "Zusammenhängende Quartiere, in denen hoher Bedarf neben hohem Bedarf liegt (lokales Moran's I mit "
            "Permutationstest), als Vorschlag für das Gebiet eines integrierten Handlungskonzepts.",
            "Contiguous quarters where high need lies next to high need (local Moran's I with a permutation test), "
            "as a proposal for the area of an integrated action plan.")))
        layout = QVBoxLayout(self)
        layout.addWidget(self.allocation)
        layout.addWidget(self.hotspots)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        for signal in (self.allocation.toggled, self.hotspots.toggled, self.factors.textChanged,
                       self.population.fieldChanged, self.budget.valueChanged):
            signal.connect(self._changed)

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        wizard = self.wizard()
        layer = wizard.districts_page.layer.currentLayer()
        if self.population.layer() is not layer:
            self.population.setLayer(layer)
            if layer is not None:
                numeric = [f.name() for f in layer.fields() if f.isNumeric()]
                self.population.setField(guess_field(numeric, TARGET_GROUP_NAMES) or
                                         wizard.districts_page.population_field.currentField())
        expected = n_classes(WizardChoices(index_type=wizard.method_page.index_type(),
                                           n_classes=wizard.method_page.n_classes.value()))
        if len(self.factors.text().split(",")) != expected or not self.factors.text().strip():
            self.factors.setText(default_factors(expected))
        self._changed()

    def allocation_parameters(self):
        """The allocation's parameters (None when not wanted)."""
        if not (self.allocation.isEnabled() and self.allocation.isChecked()):
            return None
        return {"POPULATION_FIELD": self.population.currentField() or None, "METHOD": self.method.currentData(),
                "FACTORS": self.factors.text().strip(), "BUDGET": float(self.budget.value()),
                "BASE_SHARE": self.base_share.value() / 100.0, "UNIT": float(self.unit.currentData())}

    def set_allocation(self, parameters):
        """Show the allocation of a loaded analysis (None: not wanted)."""
        self.allocation.setChecked(parameters is not None and self.allocation.isEnabled())
        parameters = parameters or {}
        if parameters.get("POPULATION_FIELD"):
            self.population.setField(parameters["POPULATION_FIELD"])
        self.budget.setValue(float(parameters.get("BUDGET") or self.budget.value()))
        self.unit.setCurrentIndex(max(0, self.unit.findData(float(parameters.get("UNIT") or 0.01))))
        self.method.setCurrentIndex(max(0, self.method.findData(parameters.get("METHOD") or "tiers")))
        if parameters.get("FACTORS"):
            self.factors.setText(parameters["FACTORS"])
        self.base_share.setValue(int(round(100 * float(parameters.get("BASE_SHARE") or 0.0))))

    def hotspots_wanted(self):
        return self.hotspots.isEnabled() and self.hotspots.isChecked()

    def problem(self):
        wizard = self.wizard()
        if wizard is None:
            return ""
        found = problems(WizardChoices(index_type=wizard.method_page.index_type(),
                                       n_classes=wizard.method_page.n_classes.value(),
                                       allocation=self.allocation_parameters()))
        return found[0] if found else ""


class ReportPage(_OptionalStepPage):
    """5. Bericht (optional): title, organisation, logo, language and folder for ``sozialraum:report``."""

    ALGORITHM = REPORT

    def __init__(self, parent=None):
        super().__init__(de_en("Bericht", "Report"),
                         de_en("Optional: Ergebnisse als Bericht zum Weitergeben.",
                               "Optional: the results as a report to pass on."),
                         de_en("Bericht erstellen", "Create a report"), parent)
        self.intro.setText(de_en(
            "Der Bericht enthält Karte, Rangliste und die Beschreibung des Verfahrens, damit andere das Ergebnis "
            "nachvollziehen können.",
            "The report contains the map, the ranking and the description of the method, so that others can "
            "follow the result."))
        self.report_title = QLineEdit(de_en("Sozialraumanalyse", "Social area analysis"))
        self.organisation = QLineEdit()
        self.organisation.setPlaceholderText(de_en("z. B. Stadt Musterstadt, Sozialplanung",
                                                   "e.g. City of Musterstadt, social planning"))
        self.logo = QgsFileWidget()
        self.logo.setFilter(de_en("Bilder", "Images") + " (*.png *.jpg *.jpeg *.svg)")
        self.language = QComboBox()
        self.language.addItem("Deutsch", "de")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(self.language.findData(de_en("de", "en")))
        self.folder = QgsFileWidget()
        self.folder.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.form.addRow(de_en("Titel", "Title"), self.report_title)
        self.form.addRow(de_en("Organisation", "Organisation"), self.organisation)
        self.form.addRow(de_en("Logo (optional)", "Logo (optional)"), self.logo)
        self.form.addRow(de_en("Sprache", "Language"), self.language)
        self.form.addRow(de_en("Ausgabeordner", "Output folder"), self.folder)
        self.folder.fileChanged.connect(self._changed)

    def problem(self):
        if self.wanted() and not self.folder.filePath():
            return de_en("Wählen Sie einen Ordner für den Bericht.", "Choose a folder for the report.")
        return ""

    def set_parameters(self, parameters):
        """Show the report parameters of a loaded analysis."""
        self.report_title.setText(parameters.get("TITLE") or self.report_title.text())
        self.organisation.setText(parameters.get("ORGANISATION") or "")
        self.logo.setFilePath(parameters.get("LOGO") or "")
        self.language.setCurrentIndex(max(0, self.language.findData(parameters.get("LANGUAGE") or "de")))

    def parameters(self):
        """The report parameters chosen on this page (None when the step is not wanted)."""
        if not self.wanted():
            return None
        return {
            "TITLE": self.report_title.text().strip(),
            "ORGANISATION": self.organisation.text().strip(),
            "LOGO": self.logo.filePath() or None,
            "LANGUAGE": self.language.currentData(),
        }


class SummaryPage(QWizardPage):
    """6. Zusammenfassung: what will run; then run it with progress and a cancel button."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Zusammenfassung", "Summary"))
        self.setSubTitle(de_en("Prüfen Sie die Schritte und starten Sie die Berechnung.",
                               "Check the steps and start the computation."))
        self.summary = QTextBrowser()
        self.folder = QgsFileWidget()
        self.folder.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.folder.lineEdit().setPlaceholderText(de_en("leer = temporäre Layer im Projekt",
                                                        "empty = temporary layers in the project"))
        self.run_button = QPushButton(de_en("Berechnung starten", "Start computation"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setOpenExternalLinks(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        form = QFormLayout()
        form.addRow(de_en("Ergebnisse speichern in", "Save results in"), self.folder)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addLayout(form)
        layout.addLayout(run_row)
        layout.addWidget(self.status)
        self.folder.fileChanged.connect(self._show_plan)

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        self._show_plan()

    @guarded
    def _show_plan(self, *_):
        wizard = self.wizard()
        if wizard is not None:
            self.summary.setHtml(summary_html(wizard.choices(), wizard.districts_page.layer.currentText()))

    @guarded(fallback=False)
    def isComplete(self):  # noqa: N802 (Qt API)
        return not self.wizard().running()


def summary_html(choices, layer_name=""):
    """The plan in plain words, one list item per step."""
    texts = explanations()
    items = []
    indicators = ", ".join("{}{}{}".format("{} ({})".format(i.label, i.field) if i.label and i.label != i.field
                                          else i.field,
                                          de_en(" (umgekehrt)", " (reversed)") if i.reverse else "",
                                          " ×{:g}".format(i.weight) if i.weight != 1.0 else "")
                           for i in choices.indicators)
    population = (de_en("Quartiere unter {:g} Einwohnern ({}) werden nicht bewertet.",
                        "Districts below {:g} residents ({}) are not rated.")
                  .format(choices.min_population, choices.population_field) if choices.population_field else
                  de_en("Ohne Einwohnerfeld: alle Quartiere werden bewertet, auch sehr kleine, und ihre Werte "
                        "erscheinen im Bericht (bitte ein Einwohnerfeld wählen, wo es eines gibt).",
                        "No population field: all districts are rated, very small ones too, and their values appear "
                        "in the report (please choose a population field where there is one)."))
    base = de_en("Quartiere: <b>{}</b> (ID {}), Datenstand {}. {}<br>Indikatoren: {}",
                 "Quarters: <b>{}</b> (ID {}), data as of {}. {}<br>Indicators: {}").format(
        _escape(layer_name or choices.districts), _escape(choices.id_field),
        _escape(choices.data_date or de_en("nicht angegeben", "not given")), population, _escape(indicators))
    for step in plan(choices):
        if step.key == "index" and choices.index_type == DISTRICT_INDEX:
            detail = " ".join(texts[key] for key in (choices.normalization, choices.aggregation,
                                                      choices.classification))
        elif step.key == "index":
            pairs = [i for i in choices.indicators if i.earlier]
            detail = de_en("Dynamik aus {} Feldpaaren.", "Dynamics from {} field pairs.").format(len(pairs)) \
                if pairs else de_en("Ohne Dynamik (keine Felder von vor zwei Jahren gewählt).",
                                    "Without dynamics (no fields of two years earlier chosen).")
        elif step.key == "diagnostics":
            detail = de_en("Zusammenhang der Indikatoren und Rangfolge bei zufälligen Gewichten.",
                           "How the indicators relate and the ranking under random weights.")
        elif step.key == "allocation":
            detail = de_en("{} nach Bedarf über die Quartiere verteilt (Zielgruppe {}).",
                           "{} distributed over the quarters by need (target group {}).").format(
                _escape(format_number(step.parameters.get("BUDGET") or 0, 2)),
                _escape(step.parameters.get("POPULATION_FIELD") or ""))
        elif step.key == "hotspots":
            detail = de_en("Häufungen hohen Bedarfs und daraus vorgeschlagene Fördergebiete.",
                           "Clusters of high need and funding areas proposed from them.")
        elif step.key.startswith("coverage"):
            detail = _coverage_text(step.parameters)
        else:
            detail = de_en("HTML, PDF und Tabelle (XLSX) in {}.", "HTML, PDF and table (XLSX) in {}.").format(
                _escape(choices.report_folder))
            if choices.previous:
                detail += de_en(" Mit Vergleich zum früheren Ergebnis {}.", " Compared with the earlier result {}.")\
                    .format(_escape(choices.previous))
        items.append("<li><b>{}</b> <small>({})</small><br>{}</li>".format(_escape(step.title), step.algorithm_id,
                                                                          detail))
    where = (de_en("Ergebnisse werden in {} gespeichert (vorhandene Dateien werden überschrieben).",
                   "Results are saved in {} (existing files are overwritten).").format(_escape(choices.results_folder))
             if choices.results_folder else
             de_en("Ergebnisse werden als temporäre Layer geladen.", "Results are loaded as temporary layers."))
    return "<p>{}</p><ol>{}</ol><p>{}</p>".format(base, "".join(items), where)


def _layer_name(layer_id):
    layer = QgsProject.instance().mapLayer(layer_id or "")
    return _escape(layer.name() if layer is not None else layer_id)


def _coverage_text(parameters):
    """The coverage step in one sentence."""
    services = _layer_name(parameters["SERVICES"])
    if parameters.get("CAPACITY_FIELD"):
        services += de_en(" (Plätze: {})", " (places: {})").format(_escape(parameters["CAPACITY_FIELD"]))
    if parameters.get("DEMAND"):
        target = de_en("{} der Punkte in {}", "{} of the points in {}").format(
            _escape(parameters.get("DEMAND_FIELD") or ""), _layer_name(parameters["DEMAND"]))
    else:
        target = de_en("{} je Quartier", "{} per district").format(
            _escape(parameters.get("TARGET_POPULATION_FIELD") or ""))
    route = de_en("über das Wegenetz {}", "along the path network {}").format(_layer_name(parameters["NETWORK"])) \
        if parameters.get("NETWORK") else de_en("in Luftlinie", "as the crow flies")
    return de_en("Einrichtungen: {}. Zielgruppe: {}. Entfernungen {} m {}; Verfahren {}.",
                 "Services: {}. Target group: {}. Distances {} m {}; method {}.").format(
        services, target, _escape(parameters["DISTANCE"]), route,
        _escape(choice_labels(COVERAGE, "METHOD").get(parameters["METHOD"], parameters["METHOD"])))


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
