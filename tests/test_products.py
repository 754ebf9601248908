"""Products (issue 5): catalogue without owner scope, unique code, Decimal price, shelf, category tree."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.db import Database
from crm_desktop.models import Product
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records import attachments
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from crm_desktop.services.sales.product_pictures import product_pictures
from crm_desktop.services.sales.products import (
    category_tree,
    create_category,
    delete_category,
    move_category,
    on_shelf_products,
    products,
    rename_category,
    set_on_shelf,
)
from tests.test_customers import ALL_SALES, log, make_user

CATALOGUE = {"product": ("view",)}


def test_products_are_a_catalogue_with_unique_codes_decimal_prices_and_custom_fields(
    db: Database, admin: Actor,
) -> None:
    colour = create_custom_field(db, admin, "product", CustomFieldInput("颜色", FieldType.TEXT)).name
    keeper = make_user(db, admin, "13700000001", perms={"product": ("view", "create", "edit", "delete", "export")})
    seller = make_user(db, admin, "13700000002", perms={**ALL_SALES, **CATALOGUE})
    outsider = make_user(db, admin, "13700000003")  # no product permission at all

    p = products.create(db, keeper, {"name": "服务器", "code": " SRV-01 ", "unit": "台", "price": "12999.5",
                                     colour: "黑"})
    assert p.values["code"] == "SRV-01" and p.values["price"] == Decimal("12999.50")
    assert isinstance(p.values["price"], Decimal) and p.values["on_shelf"] is True and p.custom[colour] == "黑"
    with pytest.raises(TypeError):  # floats are already wrong when they arrive
        products.create(db, keeper, {"name": "x", "code": "X", "price": 0.1})
    with pytest.raises(ValidationError) as err:
        products.create(db, keeper, {"name": "服务器2", "code": "SRV-01", "price": "-1"})
    assert set(err.value.field_errors) == {"code", "price"}
    assert "code" in err.value.field_errors["code"]
    other = products.create(db, admin, {"name": "交换机", "code": "SW-01", "price": "999"})
    with pytest.raises(ValidationError) as err:  # renaming onto a taken code
        products.update(db, keeper, other.id, expected_version=1, changes={"code": "SRV-01"})
    assert set(err.value.field_errors) == {"code"}
    products.delete(db, keeper, other.id)
    with pytest.raises(ValidationError):  # a recycled product's code stays taken (it can come back)
        products.create(db, keeper, {"name": "交换机2", "code": "SW-01"})
    products.restore(db, keeper, other.id)
    with pytest.raises(ValidationError) as err:
        products.create(db, keeper, {"name": "x", "code": "Y", "on_shelf": False})
    assert set(err.value.field_errors) == {"on_shelf"}  # the shelf is its own operation

    # No owner scope: everyone with product/view sees (and can attach to) products they do not own.
    assert products.visible_ids(db, seller) == {p.id, other.id}
    assert products.get(db, seller, p.id).values["name"] == "服务器"
    assert [r.id for r in products.list_page(db, seller, text="SRV").rows] == [p.id]
    assert products.count(db, seller) == 2
    with pytest.raises(PermissionDenied):
        products.update(db, seller, p.id, expected_version=1, changes={"name": "改"})
    with pytest.raises(PermissionDenied):
        products.list_page(db, outsider)
    a = attachments.add_attachment(db, keeper, Product, p.id, filename="图片.png", data=b"\x89PNG")
    assert [x.id for x in attachments.list_attachments(db, seller, Product, p.id)] == [a.id]

    # On / off shelf: own operation, audited, picker lists follow.
    assert {o.code for o in on_shelf_products(db, seller)} == {"SRV-01", "SW-01"}
    assert set_on_shelf(db, keeper, [p.id], on_shelf=False) == 1
    assert set_on_shelf(db, keeper, [p.id], on_shelf=False) == 0
    assert [o.code for o in on_shelf_products(db, seller)] == ["SW-01"]
    assert log(db, admin, products, p.id)[-1] == ("off_shelf", {"on_shelf": (True, False)})
    with pytest.raises(PermissionDenied):
        set_on_shelf(db, seller, [p.id], on_shelf=True)
    with pytest.raises(NotFound):
        set_on_shelf(db, keeper, [999999], on_shelf=True)


def test_category_tree(db: Database, admin: Actor) -> None:
    hardware = create_category(db, admin, "硬件")
    servers = create_category(db, admin, "服务器", parent_id=hardware.id)
    racks = create_category(db, admin, "机架式", parent_id=servers.id)
    software = create_category(db, admin, "软件")
    p = products.create(db, admin, {"name": "R740", "code": "R740", "category_id": racks.id, "price": "1"})
    with pytest.raises(ValidationError) as err:
        products.create(db, admin, {"name": "x", "code": "x", "category_id": 999999})
    assert set(err.value.field_errors) == {"category_id"}

    tree = category_tree(db, admin)
    assert [n.name for n in tree] == ["硬件", "软件"]
    assert tree[0].children[0].children[0].name == "机架式" and tree[0].children[0].children[0].product_count == 1
    # Pickers by category include sub-categories.
    assert [o.id for o in on_shelf_products(db, admin, category_id=hardware.id)] == [p.id]
    assert on_shelf_products(db, admin, category_id=software.id) == []

    with pytest.raises(RuleViolation):  # into its own subtree
        move_category(db, admin, hardware.id, new_parent_id=racks.id)
    move_category(db, admin, servers.id, new_parent_id=software.id)
    rename_category(db, admin, software.id, name=" 软硬件 ")
    tree = category_tree(db, admin)
    assert [(n.name, [c.name for c in n.children]) for n in tree] == [("硬件", []), ("软硬件", ["服务器"])]
    with pytest.raises(RuleViolation):  # has sub-categories
        delete_category(db, admin, servers.id)
    with pytest.raises(RuleViolation):  # has a product
        delete_category(db, admin, racks.id)
    products.update(db, admin, p.id, expected_version=1, changes={"category_id": None})
    delete_category(db, admin, racks.id)
    delete_category(db, admin, hardware.id)
    assert [n.name for n in category_tree(db, admin)] == ["软硬件"]
    seller = make_user(db, admin, "13700000009", perms=CATALOGUE)
    assert [n.name for n in category_tree(db, seller)] == ["软硬件"]
    with pytest.raises(PermissionDenied):
        create_category(db, seller, "x")


def png(width: int, height: int) -> bytes:
    """A real PNG (Qt is not needed to make one: zlib and the chunk layout suffice)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_pictures_are_the_image_attachments_in_upload_order(db: Database, admin: Actor) -> None:
    p = products.create(db, admin, {"name": "服务器", "code": "SRV-01", "price": "12999.5"})
    front = attachments.add_attachment(db, admin, Product, p.id, filename="正面.PNG", data=png(4, 3))
    attachments.add_attachment(db, admin, Product, p.id, filename="说明书.pdf", data=b"%PDF-1.4")
    side = attachments.add_attachment(db, admin, Product, p.id, filename="side.jpg", data=b"not really a jpeg")
    removed = attachments.add_attachment(db, admin, Product, p.id, filename="old.png", data=png(1, 1))
    attachments.remove_attachment(db, admin, Product, removed.id)
    got = product_pictures(db, admin, p.id)
    assert [(x.attachment_id, x.filename) for x in got] == [(front.id, "正面.PNG"), (side.id, "side.jpg")]
    assert got[0].data == png(4, 3)
    assert [x.filename for x in product_pictures(db, admin, p.id, limit=1)] == ["正面.PNG"]
    with pytest.raises(PermissionDenied):
        product_pictures(db, make_user(db, admin, "13700000009"), p.id)
    with pytest.raises(NotFound):
        product_pictures(db, admin, p.id + 1000)
