"""The list tabs (one per module, made from its view spec) and their add-ons: view switcher,
column chooser, export, recycle bin, the customer's and the pool's actions."""
