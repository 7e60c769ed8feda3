"""Fixed material for the demo database (`python -m bot seed --demo`).

Procedure codes and names are real entries of the national procedure catalogue (commune
level), copied here once so that seeding never depends on files outside the project;
`days` is the processing time in working days the catalogue gives (or the legal one where
it gives none). Agencies are commune-level People's Committees and police of several
provinces with codes in the national agency-identifier format; their addresses and phone
numbers are illustrative, not authoritative.
"""

from __future__ import annotations

from typing import NamedTuple

ALL_CHANNELS = ("truc_tiep", "truc_tuyen", "buu_chinh")
IN_PERSON = ("truc_tiep",)


class Procedure(NamedTuple):
    code: str
    name: str
    days: int  # processing time, working days
    family: str  # key of SUPPLEMENT_REQUESTS
    weight: int  # relative frequency in the demo data
    channels: tuple[str, ...] = ALL_CHANNELS


PROCEDURES: tuple[Procedure, ...] = (
    Procedure("1.004222", "Đăng ký thường trú", 7, "cu_tru", 60),
    Procedure("1.004194", "Đăng ký tạm trú", 3, "cu_tru", 70),
    Procedure("1.003677", "Khai báo tạm vắng", 1, "cu_tru", 15),
    Procedure("1.003197", "Xóa đăng ký thường trú", 5, "cu_tru", 15),
    Procedure("1.002755", "Gia hạn tạm trú", 3, "cu_tru", 25),
    Procedure(
        "1.014061", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", 7, "can_cuoc", 40, IN_PERSON
    ),
    Procedure("1.014062", "Cấp thẻ căn cước cho người dưới 14 tuổi", 7, "can_cuoc", 25, IN_PERSON),
    Procedure("1.014063", "Cấp đổi thẻ căn cước", 7, "can_cuoc", 45, IN_PERSON),
    Procedure("1.014064", "Cấp lại thẻ căn cước", 7, "can_cuoc", 20, IN_PERSON),
    Procedure(
        "3.000228",
        "Cấp tài khoản định danh điện tử mức độ 02, căn cước điện tử cho công dân "
        "Việt Nam (cấp xã)",
        3,
        "can_cuoc",
        35,
        IN_PERSON,
    ),
    Procedure("1.001193", "Thủ tục đăng ký khai sinh", 1, "ho_tich", 55),
    Procedure("1.000656", "Thủ tục đăng ký khai tử", 1, "ho_tich", 15),
    Procedure("1.000894", "Thủ tục đăng ký kết hôn", 1, "ho_tich", 30),
    Procedure("1.004873", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", 3, "ho_tich", 40),
    Procedure(
        "1.004772",
        "Thủ tục đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
        5,
        "ho_tich",
        5,
    ),
    Procedure("1.004884", "Thủ tục đăng ký lại khai sinh", 5, "ho_tich", 8),
    Procedure("1.004746", "Thủ tục đăng ký lại kết hôn", 5, "ho_tich", 3),
    Procedure("1.001022", "Thủ tục đăng ký nhận cha, mẹ, con", 3, "ho_tich", 5),
    Procedure(
        "1.004859",
        "Thủ tục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        1,
        "ho_tich",
        12,
    ),
    Procedure("1.004837", "Thủ tục đăng ký giám hộ", 3, "ho_tich", 2),
    Procedure(
        "1.000689", "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con", 3, "ho_tich", 4
    ),
    Procedure("1.005461", "Đăng ký lại khai tử", 5, "ho_tich", 2),
    Procedure(
        "2.000986",
        "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ "
        "bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        20,
        "ho_tich",
        20,
    ),
    Procedure(
        "2.001023",
        "Liên thông các thủ tục hành chính về đăng ký khai sinh, cấp Thẻ bảo hiểm y tế "
        "cho trẻ em dưới 6 tuổi",
        15,
        "ho_tich",
        15,
    ),
    Procedure(
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm "
        "quyền của Việt Nam; cơ quan, tổ chức có thẩm quyền của nước ngoài; cơ quan, tổ chức có thẩm "
        "quyền của Việt Nam liên kết với cơ quan, tổ chức có thẩm quyền của nước ngoài cấp hoặc chứng "
        "nhận",
        1,
        "chung_thuc",
        80,
        IN_PERSON,
    ),
    Procedure(
        "2.000884",
        "Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp chứng "
        "thực điểm chỉ và trường hợp người yêu cầu chứng thực không thể ký, không thể điểm chỉ được)",
        1,
        "chung_thuc",
        25,
        IN_PERSON,
    ),
    Procedure(
        "2.001035",
        "Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
        2,
        "chung_thuc",
        20,
        IN_PERSON,
    ),
    Procedure("2.001019", "Chứng thực di chúc", 2, "chung_thuc", 4, IN_PERSON),
    Procedure(
        "2.001406",
        "Chứng thực văn bản phân chia di sản mà di sản là động sản, quyền sử dụng đất, nhà ở",
        2,
        "chung_thuc",
        5,
        IN_PERSON,
    ),
    Procedure("1.001612", "Đăng ký thành lập hộ kinh doanh", 3, "kinh_doanh", 25),
    Procedure("1.001266", "Chấm dứt hoạt động hộ kinh doanh", 1, "kinh_doanh", 6),
    Procedure(
        "1.001570",
        "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
        1,
        "kinh_doanh",
        6,
    ),
    Procedure("1.012812", "Hòa giải tranh chấp đất đai", 22, "dat_dai", 6),  # 30 calendar days
    Procedure(
        "1.001939", "Đăng ký đóng, cấp thẻ BHYT đối với người chỉ tham gia BHYT", 5, "bhyt", 20
    ),
)

SUPPLEMENT_REQUESTS = {
    "cu_tru": (
        "Bổ sung giấy tờ chứng minh chỗ ở hợp pháp (hợp đồng thuê, mượn, ở nhờ nhà ở có công chứng hoặc chứng thực).",
        "Tờ khai thay đổi thông tin cư trú (mẫu CT01) còn thiếu ý kiến đồng ý của chủ hộ; "
        "đề nghị bổ sung chữ ký của chủ hộ.",
        "Bổ sung văn bản đồng ý của chủ sở hữu chỗ ở hợp pháp cho đăng ký vào chỗ ở này.",
    ),
    "can_cuoc": (
        "Ảnh chân dung thu nhận chưa đạt yêu cầu; đề nghị đến Công an xã để chụp lại ảnh và thu nhận vân tay.",
        "Thông tin trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư; "
        "đề nghị bổ sung giấy tờ chứng minh thông tin đúng.",
    ),
    "ho_tich": (
        "Bổ sung bản chính Giấy chứng sinh của trẻ.",
        "Bổ sung giấy tờ chứng minh quan hệ cha, mẹ, con (văn bản giám định ADN hoặc giấy tờ tương đương).",
        "Tờ khai còn thiếu chữ ký của người yêu cầu; đề nghị ký bổ sung tại Bộ phận Một cửa.",
        "Bổ sung văn bản ủy quyền có chứng thực do người nộp hồ sơ không phải là người yêu cầu.",
    ),
    "chung_thuc": (
        "Bản chính giấy tờ bị tẩy xóa, sửa chữa; đề nghị xuất trình bản chính hợp lệ.",
        "Bổ sung giấy tờ tùy thân còn hiệu lực của người yêu cầu chứng thực.",
    ),
    "kinh_doanh": (
        "Tên hộ kinh doanh trùng với tên đã đăng ký trên địa bàn; đề nghị đặt tên khác và kê khai lại.",
        "Bổ sung bản sao hợp đồng thuê địa điểm kinh doanh.",
    ),
    "dat_dai": (
        "Bổ sung bản sao giấy tờ về quyền sử dụng đất của các bên tranh chấp.",
        "Đơn đề nghị hòa giải chưa ghi rõ vị trí thửa đất; đề nghị bổ sung sơ đồ thửa đất.",
    ),
    "bhyt": (
        "Bổ sung danh sách thành viên hộ gia đình tham gia bảo hiểm y tế (mẫu DK01).",
        "Ảnh chụp giấy tờ tải lên bị mờ, không đọc được; đề nghị tải lên bản chụp rõ nét.",
    ),
}

FINANCIAL_OBLIGATION_NOTE = "Đề nghị nộp lệ phí theo quy định để cơ quan tiếp tục giải quyết hồ sơ."
REFUSAL_NOTE = "Hồ sơ chưa đủ thành phần theo quy định; đã hướng dẫn công dân bổ sung và nộp lại."
STOP_NOTE = "Quá thời hạn bổ sung giấy tờ nhưng công dân không bổ sung."
WITHDRAW_NOTE = "Công dân có đơn đề nghị rút hồ sơ."


class DemoAgency(NamedTuple):
    code: str
    name: str
    address: str
    phone: str
    id_province: str  # first 3 digits of most local citizens' identity numbers


def _commune_agencies(
    province_code: str,
    id_province: str,
    province: str,
    area_code: str,
    number: int,
    commune: str,
    street: str,
) -> tuple[DemoAgency, DemoAgency]:
    """The People's Committee and the police of one commune-level unit."""
    return (
        DemoAgency(
            f"000.00.{number:02d}.{province_code}",
            f"UBND {commune}",
            f"Trung tâm Phục vụ hành chính công {commune}, {street}, {province}",
            f"{area_code} 3{number:02d}0 1{number:03d}",
            id_province,
        ),
        DemoAgency(
            f"000.{number:02d}.30.{province_code}",
            f"Công an {commune}",
            f"Trụ sở Công an {commune}, {street}, {province}",
            f"{area_code} 3{number:02d}9 2{number:03d}",
            id_province,
        ),
    )


AGENCIES: tuple[DemoAgency, ...] = (
    *_commune_agencies(
        "H26", "001", "Thành phố Hà Nội", "024", 12, "phường Hoàn Kiếm", "số 126 phố Hàng Trống"
    ),
    *_commune_agencies(
        "H26", "001", "Thành phố Hà Nội", "024", 21, "phường Cầu Giấy", "số 36 phố Cầu Giấy"
    ),
    *_commune_agencies(
        "H26", "001", "Thành phố Hà Nội", "024", 35, "xã Sóc Sơn", "số 1 đường Núi Đôi"
    ),
    *_commune_agencies(
        "H29", "079", "Thành phố Hồ Chí Minh", "028", 11, "phường Sài Gòn", "số 45 đường Lê Duẩn"
    ),
    *_commune_agencies(
        "H29",
        "079",
        "Thành phố Hồ Chí Minh",
        "028",
        14,
        "phường Tân Định",
        "số 93 đường Trần Quang Khải",
    ),
    *_commune_agencies(
        "H15", "048", "Thành phố Đà Nẵng", "0236", 10, "phường Hải Châu", "số 270 đường Trần Phú"
    ),
    *_commune_agencies(
        "H49", "022", "Tỉnh Quảng Ninh", "0203", 25, "phường Hạ Long", "số 2 đường Nguyễn Văn Cừ"
    ),
    *_commune_agencies(
        "H49", "022", "Tỉnh Quảng Ninh", "0203", 27, "phường Bãi Cháy", "số 15 đường Hạ Long"
    ),
    *_commune_agencies(
        "H14", "092", "Thành phố Cần Thơ", "0292", 16, "phường Ninh Kiều", "số 9 đường Võ Văn Tần"
    ),
    *_commune_agencies(
        "H40", "040", "Tỉnh Nghệ An", "0238", 31, "phường Trường Vinh", "số 18 đường Lê Hồng Phong"
    ),
    *_commune_agencies(
        "H46", "046", "Thành phố Huế", "0234", 13, "phường Thuận Hóa", "số 24 đường Tố Hữu"
    ),
    *_commune_agencies(
        "H27", "031", "Thành phố Hải Phòng", "0225", 18, "phường Hồng Bàng", "số 6 đường Hoàng Diệu"
    ),
)

# Family names with their approximate share of the population (percent).
FAMILY_NAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 3),
    ("Huỳnh", 2),
    ("Phan", 4),
    ("Vũ", 2),
    ("Võ", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1),
    ("Hồ", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trương", 1),
    ("Lâm", 1),
    ("Mai", 1),
    ("Tạ", 1),
    ("Đoàn", 1),
)
MALE_MIDDLE_NAMES = (
    "Văn",
    "Văn",
    "Hữu",
    "Đức",
    "Minh",
    "Quang",
    "Thành",
    "Công",
    "Xuân",
    "Ngọc",
    "Anh",
    "Gia",
    "Trọng",
)
FEMALE_MIDDLE_NAMES = (
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Bảo",
    "Kim",
    "Phương",
    "Thùy",
    "Hồng",
    "Khánh",
)
MALE_GIVEN_NAMES = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hùng",
    "Huy",
    "Khang",
    "Khoa",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Hiếu",
    "Lộc",
)
FEMALE_GIVEN_NAMES = (
    "Anh",
    "Châu",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "My",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Trinh",
    "Uyên",
    "Vy",
    "Yến",
)
# Mobile prefixes of the Vietnamese operators (10-digit numbers).
PHONE_PREFIXES = (
    "086",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "088",
    "091",
    "094",
    "081",
    "082",
    "083",
    "084",
    "085",
    "089",
    "090",
    "093",
    "070",
    "076",
    "077",
    "078",
    "079",
    "092",
    "056",
    "058",
    "099",
    "059",
)

SURVEY_COMMENTS = {
    3: (
        "Cán bộ hướng dẫn rất tận tình, nhận kết quả sớm hơn hẹn.",
        "Thủ tục nhanh gọn, không phải đi lại nhiều.",
        "Nộp trực tuyến tiện lợi, được báo kết quả qua tin nhắn.",
    ),
    2: (
        "Giải quyết đúng hẹn, nhưng phải chờ khá lâu lúc nộp hồ sơ.",
        "Nên có thêm chỗ ngồi chờ và nước uống cho người dân.",
    ),
    1: (
        "Hồ sơ bị trễ hẹn mà không được báo trước.",
        "Phải bổ sung giấy tờ nhiều lần vì hướng dẫn ban đầu không đầy đủ.",
        "Cổng dịch vụ công hay bị lỗi khi tải giấy tờ lên.",
    ),
}
